package dev.qstream.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Task files: JSON Lines, one prompt a line, {@code {"id", "prompt", "references": [...], "split": "train"|"eval"}}.
 * Reading validates every line and reports bad ones with their line numbers instead of stopping.
 */
public final class TaskFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("id", "prompt", "references", "split");

    /** What reading a task file produced: the valid prompts and one message per rejected line. */
    public record Loaded(List<TaskPrompt> prompts, List<String> errors) {
        public List<TaskPrompt> split(TaskPrompt.Split split) {
            return prompts.stream().filter(p -> p.split() == split).toList();
        }
    }

    private TaskFile() {
    }

    public static Loaded read(Path file) throws IOException {
        List<TaskPrompt> prompts = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    TaskPrompt p = parse(line);
                    if (!ids.add(p.id())) {
                        throw new IllegalArgumentException("duplicate id '" + p.id() + "'");
                    }
                    prompts.add(p);
                } catch (IOException | IllegalArgumentException e) {
                    errors.add(file.getFileName() + ":" + number + ": " + e.getMessage());
                }
            }
        }
        return new Loaded(prompts, errors);
    }

    static TaskPrompt parse(String line) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "' (expected id, prompt, references, split)");
            }
        }
        String id = text(node, "id");
        String prompt = text(node, "prompt");
        JsonNode refs = node.get("references");
        if (refs == null || !refs.isArray()) {
            throw new IllegalArgumentException("'references' must be an array of strings");
        }
        List<String> references = new ArrayList<>();
        for (JsonNode r : refs) {
            if (!r.isTextual()) {
                throw new IllegalArgumentException("'references' must hold strings only");
            }
            references.add(r.asText());
        }
        String split = text(node, "split").toLowerCase(Locale.ROOT);
        TaskPrompt.Split s = switch (split) {
            case "train" -> TaskPrompt.Split.TRAIN;
            case "eval" -> TaskPrompt.Split.EVAL;
            default -> throw new IllegalArgumentException("'split' must be \"train\" or \"eval\", got \"" + split + "\"");
        };
        if (s == TaskPrompt.Split.EVAL && references.isEmpty()) {
            // Held-out prompts are scored against their references; a train prompt may have none (feedback only).
            throw new IllegalArgumentException("an eval prompt needs at least one reference");
        }
        return new TaskPrompt(id, prompt, references, s);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    public static void write(Path file, List<TaskPrompt> prompts) throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (TaskPrompt p : prompts) {
                ObjectNode o = JSON.createObjectNode();
                o.put("id", p.id());
                o.put("prompt", p.prompt());
                ArrayNode refs = o.putArray("references");
                p.references().forEach(refs::add);
                o.put("split", p.split().name().toLowerCase(Locale.ROOT));
                writer.write(JSON.writeValueAsString(o));
                writer.newLine();
            }
        }
    }
}
