package dev.appliance.common;

/**
 * What the caller could change to let a refused operation through, in the library's own terms (each
 * library names its remedies in an enum implementing this). A library message never spells a front
 * end's option: the CLI renders the remedy as its flag.
 */
public interface Remedy {}
