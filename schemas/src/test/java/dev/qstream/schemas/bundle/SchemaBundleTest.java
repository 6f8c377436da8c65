package dev.qstream.schemas.bundle;

import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.SchemaHistory;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.SchemaCatalog;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema bundle ({@code schemas/bundle/}) is what clients in other languages compile: it must be the schemas the
 * services use (same fingerprints, same text as generated now), each file must stand alone, and Apache's
 * {@code avro-tools compile schema} must turn it into code in one step.
 */
class SchemaBundleTest {

    /** The checked-in bundle, relative to this module (Maven runs tests there). */
    private static final Path BUNDLE = Path.of("bundle");
    /** Copied there by the build (maven-dependency-plugin); deliberately not on this test's class path. */
    private static final Path AVRO_TOOLS = Path.of("target", "avro-tools", "avro-tools.jar");
    private static final String REGENERATE =
            "./mvnw -q -pl schemas compile exec:java -Dexec.mainClass=dev.qstream.schemas.bundle.SchemaBundle";

    @Test
    void theCheckedInBundleIsExactlyWhatTheServicesUse() throws IOException {
        Map<String, String> expected = SchemaBundle.files();
        try (Stream<Path> files = Files.list(BUNDLE)) {
            assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .as("files in schemas/bundle (regenerate with %s)", REGENERATE)
                    .isEqualTo(expected.keySet());
        }
        for (Class<? extends SpecificRecordBase> type : SchemaCatalog.byTopic().values()) {
            Schema used = SpecificData.get().getSchema(type);
            String file = used.getName() + ".avsc";
            // A parser of its own per file: each must stand alone, with no other file parsed first.
            Schema bundled = new Schema.Parser().parse(BUNDLE.resolve(file).toFile());
            assertThat(SchemaHistory.fingerprint(bundled))
                    .as("%s's fingerprint differs from the one the services write; regenerate with %s", file, REGENERATE)
                    .isEqualTo(SchemaHistory.fingerprint(used));
            assertThat(bundled).as(file).isEqualTo(used);
        }
        for (Map.Entry<String, String> file : expected.entrySet()) {
            assertThat(Files.readString(BUNDLE.resolve(file.getKey()), StandardCharsets.UTF_8))
                    .as("schemas/bundle/%s is out of date; regenerate with %s", file.getKey(), REGENERATE)
                    .isEqualTo(file.getValue());
        }
    }

    @Test
    void aRecordWrittenWithAvrosOwnSingleObjectEncoderFromABundleFileIsReadByTheServicesSerde() throws IOException {
        // What a client in another language does: load the bundle file, write a generic record, frame it per the spec.
        Schema feedbackSchema = new Schema.Parser().parse(BUNDLE.resolve("Feedback.avsc").toFile());
        GenericRecord feedback = new GenericData.Record(feedbackSchema);
        UUID episodeId = UUID.randomUUID();
        feedback.put("feedbackId", UUID.randomUUID().toString());
        feedback.put("episodeId", episodeId.toString());
        feedback.put("kind", new GenericData.EnumSymbol(feedbackSchema.getField("kind").schema(), "THUMBS"));
        feedback.put("value", 1.0);
        feedback.put("editedText", null);
        feedback.put("source", "bundle-test");
        feedback.put("createdAt", 1_700_000_000_000L);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), feedbackSchema).encode(feedback).array();

        assertThat(HexFormat.of().formatHex(bytes, 0, 10)).as("the header fingerprints.json gives for Feedback")
                .isEqualTo(SchemaBundle.header(feedbackSchema));
        Feedback read = Serdes.FEEDBACK.decode(bytes);
        assertThat(read.getEpisodeId().toString()).isEqualTo(episodeId.toString());
        assertThat(read.getKind()).isEqualTo(FeedbackKind.THUMBS);
        assertThat(read.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));

        // ... and what the services write starts with the header the bundle announces.
        Prompt prompt = Prompt.newBuilder().setPromptId("p-1").setText("name [ x ]").setCreatedAt(Instant.now()).build();
        Schema promptSchema = new Schema.Parser().parse(BUNDLE.resolve("Prompt.avsc").toFile());
        assertThat(HexFormat.of().formatHex(Serdes.PROMPT.encode(prompt), 0, 10)).isEqualTo(SchemaBundle.header(promptSchema));
        assertThat(Files.readString(BUNDLE.resolve(SchemaBundle.FINGERPRINTS)))
                .contains("\"header\": \"" + SchemaBundle.header(promptSchema) + "\"")
                .contains("\"fingerprint\": \"" + Long.toHexString(SchemaHistory.fingerprint(promptSchema)) + "\"");
    }

    @Test
    void avroToolsCompilesTheWholeBundleInOneStepAndAnyFileOnItsOwn(@TempDir Path tmp) throws Exception {
        assertThat(AVRO_TOOLS).as("the build copies avro-tools here (run the test through Maven)").exists();

        Path whole = tmp.resolve("whole");
        compileSchema(List.of(BUNDLE.toString()), whole);
        Set<String> expected = Set.of("Prompt", "Transition", "Feedback", "ScoredEpisode", "RewardCorrection",
                "ModelUpdate", "MetricEvent", "Episode", "DeadLetter", "SchemaRegistration",
                // named types the records nest, inlined in the files that use them
                "ExplorationStrategy", "EndReason", "RewardParts", "ScoredStep", "EpisodeScores", "PartitionOffset", "FeedbackKind",
                "DeadLetterReason");
        assertThat(generatedClasses(whole)).containsAll(expected);

        // The file with the deepest nesting (ScoredStep, RewardParts, ExplorationStrategy, EndReason inside), alone.
        Path alone = tmp.resolve("alone");
        compileSchema(List.of(BUNDLE.resolve("ScoredEpisode.avsc").toString()), alone);
        assertThat(generatedClasses(alone)).contains("ScoredEpisode", "ScoredStep", "RewardParts", "ExplorationStrategy", "EndReason");

        // The generated code compiles against Avro, as it would in another project.
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", tmp.resolve("classes").toString(), "-nowarn",
                "-proc:none", "-cp", System.getProperty("java.class.path")));
        try (Stream<Path> sources = Files.walk(whole)) {
            sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        ByteArrayOutputStream javacOut = new ByteArrayOutputStream();
        assertThat(javac.run(null, javacOut, javacOut, args.toArray(String[]::new)))
                .as("javac on avro-tools' output: %s", javacOut.toString(StandardCharsets.UTF_8)).isZero();
    }

    /** {@code java -jar avro-tools.jar compile schema <inputs> <out>} in a JVM of its own, as a user would run it. */
    private static void compileSchema(List<String> inputs, Path out) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", AVRO_TOOLS.toString(), "compile", "schema"));
        command.addAll(inputs);
        command.add(out.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("avro-tools finished").isTrue();
        assertThat(process.exitValue()).as("avro-tools compile schema %s:%n%s", inputs, output).isZero();
    }

    private static Set<String> generatedClasses(Path dir) throws IOException {
        Path pkg = dir.resolve("dev/qstream/schemas/avro");
        try (Stream<Path> files = Files.list(pkg)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - ".java".length())).collect(Collectors.toSet());
        }
    }
}
