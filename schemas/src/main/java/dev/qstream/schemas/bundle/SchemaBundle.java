package dev.qstream.schemas.bundle;

import dev.qstream.schemas.serde.SchemaHistory;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.SchemaCatalog;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The schema bundle for clients in other languages ({@code schemas/bundle/}, docs/CLIENTS.md): one self-contained
 * {@code <Record>.avsc} per topic value (every named type it uses inlined, so any Avro library or
 * {@code avro-tools compile schema} takes a file, or the whole folder, in one step, in any order), and
 * {@code fingerprints.json}, which says for each record the 10-byte header a qstream writer puts in front of it
 * today and every fingerprint its readers accept. Written from the generated classes, so it is the schemas the
 * services use; {@code SchemaBundleTest} fails when it is out of date. Regenerate it from the repository root with
 * {@code ./mvnw -q -pl schemas compile exec:java -Dexec.mainClass=dev.qstream.schemas.bundle.SchemaBundle}.
 */
public final class SchemaBundle {

    public static final String FINGERPRINTS = "fingerprints.json";
    private static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};

    private SchemaBundle() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "schemas/bundle");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> file : files().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        System.out.println("wrote " + files().size() + " files to " + dir);
    }

    /** The bundle: file name → contents. */
    public static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        for (Class<? extends SpecificRecordBase> type : SchemaCatalog.byTopic().values()) {
            Schema schema = SpecificData.get().getSchema(type);
            files.put(schema.getName() + ".avsc", schema.toString(true) + "\n");
        }
        files.put(FINGERPRINTS, fingerprintsJson());
        return files;
    }

    /** The 10 bytes that start every single-object-encoded record written with {@code schema}, as hex. */
    public static String header(Schema schema) {
        long fingerprint = SchemaHistory.fingerprint(schema);
        byte[] header = new byte[10];
        System.arraycopy(MARKER, 0, header, 0, 2);
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i)); // little-endian, as Avro's spec says
        }
        return HexFormat.of().formatHex(header);
    }

    /** Hand-written rather than through a JSON library: the schemas module carries none, and the shape is fixed. */
    private static String fingerprintsJson() {
        StringBuilder json = new StringBuilder();
        json.append("{\n");
        json.append("  \"about\": \"Written by dev.qstream.schemas.bundle.SchemaBundle; see docs/CLIENTS.md. ")
                .append("fingerprint: CRC-64-AVRO of the schema's parsing canonical form, as Java's Long.toHexString ")
                .append("(the key of qstream.schemas); header: the 10 bytes (C3 01 + fingerprint, little-endian) ")
                .append("that start every record a qstream service writes today; accepted: every released version ")
                .append("a qstream reader of this release decodes (resolved to the current schema).\",\n");
        json.append("  \"records\": [\n");
        List<String> entries = SchemaCatalog.byTopic().entrySet().stream().map(e -> {
            QstreamTopic topic = e.getKey();
            Schema current = SpecificData.get().getSchema(e.getValue());
            String accepted = SchemaHistory.shipped().versions(current.getName()).stream()
                    .map(v -> "\"" + Long.toHexString(SchemaHistory.fingerprint(v)) + "\"")
                    .collect(Collectors.joining(", "));
            return "    {\"topicSuffix\": \"" + topic.suffix() + "\", \"record\": \"" + current.getFullName()
                    + "\", \"schema\": \"" + current.getName() + ".avsc\",\n"
                    + "     \"fingerprint\": \"" + Long.toHexString(SchemaHistory.fingerprint(current))
                    + "\", \"header\": \"" + header(current) + "\",\n"
                    + "     \"accepted\": [" + accepted + "]}";
        }).toList();
        json.append(String.join(",\n", entries)).append("\n  ]\n}\n");
        return json.toString();
    }
}
