package dev.qstream.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every released version of every record schema, read from the {@code schema-history/<Record>/v<N>.avsc}
 * resources this module ships (source: {@code schemas/src/main/avro/history}). A reader that meets a record
 * written with any of them resolves it to its current schema, without a registry server.
 */
public final class SchemaHistory {

    private static final String ROOT = "schema-history/";
    private static final SchemaHistory SHIPPED = load(SchemaHistory.class.getClassLoader());

    private final Map<String, List<Schema>> versionsByRecord;

    private SchemaHistory(Map<String, List<Schema>> versionsByRecord) {
        this.versionsByRecord = versionsByRecord;
    }

    /** The history in this module's jar. */
    public static SchemaHistory shipped() {
        return SHIPPED;
    }

    /** Released versions of one record (by simple name), oldest first; empty when none was released yet. */
    public List<Schema> versions(String recordName) {
        return versionsByRecord.getOrDefault(recordName, List.of());
    }

    public Map<String, List<Schema>> all() {
        return Collections.unmodifiableMap(versionsByRecord);
    }

    /**
     * A fingerprint-indexed store holding every released version plus {@code current}, falling back to the
     * {@link SchemaDirectory} (schemas announced on the cluster by newer writers) for fingerprints it does not know.
     */
    public SchemaStore storeFor(Schema current) {
        SchemaStore.Cache cache = new SchemaStore.Cache();
        cache.addSchema(current);
        for (Schema old : versions(current.getName())) {
            cache.addSchema(old);
        }
        return fingerprint -> {
            Schema known = cache.findByFingerprint(fingerprint);
            return known != null ? known : SchemaDirectory.lookup(fingerprint);
        };
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    private static SchemaHistory load(ClassLoader loader) {
        Map<String, List<Schema>> versions = new LinkedHashMap<>();
        for (String record : readLines(loader, ROOT + "RECORDS")) {
            List<Schema> list = new ArrayList<>();
            for (int v = 1; ; v++) {
                String text = readResource(loader, ROOT + record + "/v" + v + ".avsc");
                if (text == null) {
                    break;
                }
                // Each version is parsed on its own: named types it references are inlined in the file.
                list.add(new Schema.Parser().parse(text));
            }
            if (list.isEmpty()) {
                throw new IllegalStateException("schema history lists " + record + " but has no v1.avsc for it");
            }
            versions.put(record, List.copyOf(list));
        }
        return new SchemaHistory(versions);
    }

    private static List<String> readLines(ClassLoader loader, String path) {
        String text = readResource(loader, path);
        if (text == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                lines.add(trimmed);
            }
        }
        return lines;
    }

    private static String readResource(ClassLoader loader, String path) {
        try (InputStream in = loader.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
