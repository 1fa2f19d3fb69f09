/**
 * Recipes: the YAML files that describe an appliance, parsed and checked before anything is built;
 * errors name file, line and column.
 *
 * <p>Public API: {@link dev.appliance.recipe.RecipeParser} (reads a recipe and those it extends)
 * and {@link dev.appliance.recipe.Recipe} (the checked result); {@link
 * dev.appliance.recipe.RecipeRemedy} (what an error suggests doing at run time instead).
 */
package dev.appliance.recipe;
