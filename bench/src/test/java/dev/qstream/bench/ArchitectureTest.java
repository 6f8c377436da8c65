package dev.qstream.bench;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The house rules, checked on the compiled production classes of every module (this module's test class path holds
 * them all): no package cycles anywhere, the console stays free of ND4J and the services, benchmarks stay off the
 * production class path, and the module graph points one way.
 */
class ArchitectureTest {

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("jmh_generated"))
                .importPackages("dev.qstream");
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("dev.qstream.(**)").should().beFreeOfCycles().check(production);
    }

    @Test
    void theConsoleReadsTopicsWithoutNd4jOrTheServices() {
        noClasses().that().resideInAPackage("dev.qstream.console..")
                .should().dependOnClassesThat().resideInAnyPackage("org.nd4j..", "org.deeplearning4j..",
                        "dev.qstream.actor..", "dev.qstream.learner..", "dev.qstream.scorer..", "dev.qstream.policy..",
                        "dev.qstream.evaluator..", "dev.qstream.tasks..", "dev.qstream.launcher..")
                .check(production);
    }

    @Test
    void onlyTheBenchModuleUsesJmh() {
        noClasses().that().resideOutsideOfPackage("dev.qstream.bench..")
                .should().dependOnClassesThat().resideInAPackage("org.openjdk.jmh..")
                .check(production);
    }

    @Test
    void servicesDoNotReachIntoTheLauncherOrEachOther() {
        noClasses().that().resideInAnyPackage("dev.qstream.actor..", "dev.qstream.scorer..", "dev.qstream.learner..",
                        "dev.qstream.evaluator..", "dev.qstream.tasks..", "dev.qstream.console..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.qstream.launcher..", "dev.qstream.bench..")
                .check(production);
        noClasses().that().resideInAPackage("dev.qstream.actor..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.qstream.learner..", "dev.qstream.scorer..")
                .check(production);
        noClasses().that().resideInAPackage("dev.qstream.learner..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.qstream.actor..", "dev.qstream.scorer..")
                .check(production);
    }
}
