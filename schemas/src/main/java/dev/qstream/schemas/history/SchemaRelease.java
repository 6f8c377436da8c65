package dev.qstream.schemas.history;

import dev.qstream.schemas.serde.SchemaHistory;
import dev.qstream.schemas.topics.SchemaCatalog;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Releases the current schemas: for every versioned record whose current schema differs from its newest released
 * version, writes {@code <history>/<Record>/v<N+1>.avsc} (self-contained: named types inlined) and lists the record
 * in {@code RECORDS}. Run it when a release ships changed schemas:
 * {@code ./mvnw -q -pl schemas compile exec:java -Dexec.mainClass=dev.qstream.schemas.history.SchemaRelease} (from the repository root).
 */
public final class SchemaRelease {

    private SchemaRelease() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "schemas/src/main/avro/history");
        for (String line : release(dir)) {
            System.out.println(line);
        }
    }

    /** Writes the new versions; returns one line per record saying what happened. */
    public static List<String> release(Path historyDir) throws IOException {
        Files.createDirectories(historyDir);
        List<String> report = new ArrayList<>();
        List<String> records = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaCatalog.versionedRecords()) {
            Schema current = SpecificData.get().getSchema(type);
            String name = current.getName();
            records.add(name);
            Path recordDir = historyDir.resolve(name);
            Files.createDirectories(recordDir);
            int latest = 0;
            while (Files.exists(recordDir.resolve("v" + (latest + 1) + ".avsc"))) {
                latest++;
            }
            if (latest > 0) {
                Schema released = new Schema.Parser().parse(Files.readString(recordDir.resolve("v" + latest + ".avsc")));
                if (SchemaHistory.fingerprint(released) == SchemaHistory.fingerprint(current)) {
                    report.add(name + ": unchanged since v" + latest);
                    continue;
                }
            }
            Path file = recordDir.resolve("v" + (latest + 1) + ".avsc");
            Files.writeString(file, current.toString(true) + "\n", StandardCharsets.UTF_8);
            report.add(name + ": released v" + (latest + 1));
        }
        List<String> lines = new ArrayList<>();
        lines.add("# Record schemas with a released history; each has v1.avsc, v2.avsc, ... (self-contained, named types inlined).");
        lines.add("# Written by dev.qstream.schemas.history.SchemaRelease; never edit a released version.");
        lines.addAll(records);
        Files.write(historyDir.resolve("RECORDS"), lines, StandardCharsets.UTF_8);
        return report;
    }
}
