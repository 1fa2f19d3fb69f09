package dev.appliance.recipe;

import dev.appliance.common.Remedy;

/** What a recipe's author could do instead of what the recipe asks. */
public enum RecipeRemedy implements Remedy {
  /** Give a parameter's (large) value from a file when the appliance is run. */
  PARAMETER_FROM_FILE_AT_RUN
}
