package dev.appliance.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Which module may depend on which, checked on the main classes of every module (this module sees
 * them all through cli). A package stands for its module; the last two rules make that hold: every
 * class lies in a known package, and each package is compiled in its module. ArchUnit fails a rule
 * that matched no class, so none of these passes vacuously.
 */
@AnalyzeClasses(
    packages = "dev.appliance",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

  /** The Maven modules and the packages each holds. */
  enum Module {
    CORE("core", "dev.appliance.common..", "dev.appliance.oci..", "dev.appliance.store.."),
    REGISTRY_CLIENT("registry-client", "dev.appliance.registry.."),
    SIGNING("signing", "dev.appliance.signing.."),
    BUILDER("builder", "dev.appliance.builder..", "dev.appliance.recipe.."),
    RUNTIME("runtime", "dev.appliance.runtime.."),
    CLI("cli", "dev.appliance.cli.."),
    TEST_SUPPORT("test-support", "dev.appliance.testsupport..");

    private final String directory;
    private final String[] packages;

    Module(String directory, String... packages) {
      this.directory = directory;
      this.packages = packages;
    }

    String[] packages() {
      return packages.clone();
    }

    static String[] packagesOf(Module... modules) {
      return Stream.of(modules).flatMap(m -> Arrays.stream(m.packages)).toArray(String[]::new);
    }
  }

  /** Fixtures from other modules' test-jars (RegistryServer, TestImages...) are not main code. */
  static final class NoTestJars implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("-tests.jar");
    }
  }

  @ArchTest
  static final ArchRule coreDependsOnNoOtherModule =
      noClasses()
          .that()
          .resideInAnyPackage(Module.CORE.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              Module.packagesOf(
                  Module.REGISTRY_CLIENT,
                  Module.SIGNING,
                  Module.BUILDER,
                  Module.RUNTIME,
                  Module.CLI))
          .because("core (OCI model, store, host helpers) is what every other module builds on");

  @ArchTest
  static final ArchRule registryClientIsOnlyTransport =
      noClasses()
          .that()
          .resideInAnyPackage(Module.REGISTRY_CLIENT.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Module.packagesOf(Module.BUILDER, Module.RUNTIME, Module.CLI))
          .because("the registry client moves images; it neither builds nor runs them");

  @ArchTest
  static final ArchRule builderNeverTalksToRegistriesOrEngines =
      noClasses()
          .that()
          .resideInAnyPackage(Module.BUILDER.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Module.packagesOf(Module.REGISTRY_CLIENT, Module.RUNTIME, Module.CLI))
          .because("a build reads a recipe and writes to the local store only");

  @ArchTest
  static final ArchRule runtimeDoesNotBuild =
      noClasses()
          .that()
          .resideInAnyPackage(Module.RUNTIME.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Module.packagesOf(Module.BUILDER, Module.CLI))
          .because("the runtime runs stored images whoever built them");

  @ArchTest
  static final ArchRule nothingDependsOnTheCli =
      noClasses()
          .that()
          .resideOutsideOfPackages(Module.CLI.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Module.CLI.packages())
          .because("the CLI only translates options into calls of the libraries");

  @ArchTest
  static final ArchRule onlyTestsUseTestSupport =
      noClasses()
          .that()
          .resideOutsideOfPackages(Module.TEST_SUPPORT.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(Module.TEST_SUPPORT.packages())
          .because("test-support boots guests for the test suites; no product code ships it");

  @ArchTest
  static final ArchRule testSupportDependsOnNoOtherModule =
      noClasses()
          .that()
          .resideInAnyPackage(Module.TEST_SUPPORT.packages())
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              Module.packagesOf(
                  Module.CORE,
                  Module.REGISTRY_CLIENT,
                  Module.SIGNING,
                  Module.BUILDER,
                  Module.RUNTIME,
                  Module.CLI))
          .because("it starts QEMU as an ops team would, with nothing of the appliance");

  @ArchTest
  static final ArchRule everyClassBelongsToAModule =
      classes()
          .should()
          .resideInAnyPackage(Module.packagesOf(Module.values()))
          .because(
              "a new top-level package must be given a module here, or the rules above miss it");

  @ArchTest
  static void eachPackageIsCompiledInItsModule(JavaClasses all) {
    for (Module module : Module.values()) {
      classes().that().resideInAnyPackage(module.packages()).should(comeFrom(module)).check(all);
    }
  }

  /** The class file lies under the module's target/ (classes directory or its jar). */
  private static ArchCondition<JavaClass> comeFrom(Module module) {
    String marker = "/" + module.directory + "/target/";
    return new ArchCondition<>("be compiled in module " + module.directory) {
      @Override
      public void check(JavaClass javaClass, ConditionEvents events) {
        String uri = javaClass.getSource().map(s -> s.getUri().toString()).orElse("(unknown)");
        if (!uri.contains(marker)) {
          events.add(
              SimpleConditionEvent.violated(
                  javaClass,
                  javaClass.getName() + " is in " + uri + ", not in module " + module.directory));
        }
      }
    };
  }
}
