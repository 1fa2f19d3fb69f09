package dev.appliance.e2e.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an end-to-end suite: tagged {@code e2e}, and its files under target/e2e/ are cut down to
 * their logs once every test of it has passed ({@link PassingSuiteCleanup}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("e2e")
@ExtendWith(PassingSuiteCleanup.class)
public @interface EndToEnd {}
