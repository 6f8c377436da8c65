package dev.qstream.schemas.serde;

import dev.qstream.schemas.topics.SchemaCatalog;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's compatibility gate: every current schema must be backward compatible (it reads every released
 * version) and forward compatible (every released version reads it), and must itself be released, so that a
 * breaking or unreleased change fails the build. See docs/SCHEMAS.md.
 */
class SchemaCompatibilityGateTest {

    /** Both directions; returns the incompatibilities found (empty = compatible). */
    static List<String> incompatibilities(Schema current, Schema released) {
        List<String> problems = new ArrayList<>();
        var backward = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        if (backward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add("current cannot read it: " + backward.getResult().getIncompatibilities());
        }
        var forward = SchemaCompatibility.checkReaderWriterCompatibility(released, current);
        if (forward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add("it cannot read current: " + forward.getResult().getIncompatibilities());
        }
        return problems;
    }

    @TestFactory
    List<DynamicTest> everyCurrentSchemaIsCompatibleWithEveryReleasedVersion() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaCatalog.versionedRecords()) {
            Schema current = SpecificData.get().getSchema(type);
            List<Schema> versions = SchemaHistory.shipped().versions(current.getName());
            tests.add(DynamicTest.dynamicTest(current.getName() + " is released", () -> {
                assertThat(versions).as("history of %s", current.getName()).isNotEmpty();
                assertThat(SchemaHistory.fingerprint(versions.get(versions.size() - 1)))
                        .as("%s changed since its last release: run SchemaRelease (docs/SCHEMAS.md)", current.getName())
                        .isEqualTo(SchemaHistory.fingerprint(current));
            }));
            for (int v = 0; v < versions.size(); v++) {
                Schema released = versions.get(v);
                tests.add(DynamicTest.dynamicTest(current.getName() + " <-> v" + (v + 1),
                        () -> assertThat(incompatibilities(current, released)).isEmpty()));
            }
        }
        return tests;
    }

    @Test
    void theGateCatchesABreakingChange() {
        Schema released = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""");
        Schema removedWithoutDefault = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        Schema addedWithoutDefault = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long"}]}""");
        Schema retyped = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"string"}]}""");
        Schema addedWithDefault = new Schema.Parser().parse("""
                {"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"long","default":0}]}""");
        assertThat(incompatibilities(removedWithoutDefault, released)).anyMatch(p -> p.startsWith("it cannot read current"));
        assertThat(incompatibilities(addedWithoutDefault, released)).anyMatch(p -> p.startsWith("current cannot read it"));
        assertThat(incompatibilities(retyped, released)).hasSize(2);
        assertThat(incompatibilities(addedWithDefault, released)).isEmpty();
    }

    @Test
    void everyFieldOfEveryRecordIsDocumented() {
        List<String> undocumented = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaCatalog.versionedRecords()) {
            collectUndocumented(SpecificData.get().getSchema(type), undocumented, new HashSet<>());
        }
        assertThat(undocumented).isEmpty();
    }

    private static void collectUndocumented(Schema schema, List<String> out, Set<String> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                if (schema.getDoc() == null || schema.getDoc().isBlank()) {
                    out.add(schema.getName());
                }
                for (Schema.Field f : schema.getFields()) {
                    if (f.doc() == null || f.doc().isBlank()) {
                        out.add(schema.getName() + "." + f.name());
                    }
                    collectUndocumented(f.schema(), out, seen);
                }
            }
            case ARRAY -> collectUndocumented(schema.getElementType(), out, seen);
            case MAP -> collectUndocumented(schema.getValueType(), out, seen);
            case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, out, seen));
            case ENUM -> {
                if (seen.add(schema.getFullName()) && (schema.getDoc() == null || schema.getDoc().isBlank())) {
                    out.add(schema.getName());
                }
            }
            default -> {
            }
        }
    }
}
