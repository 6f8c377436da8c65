package dev.qstream.console.telemetry;

import dev.qstream.schemas.avro.MetricEvent;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One metric series as the metrics topic carries it: which instance of which service, the meter's name, and its
 * dimensions (tags). The {@code service}/{@code instance} tags every meter carries for Prometheus repeat the
 * source and instance id, so they are left out here.
 */
public record SeriesKey(String source, String instanceId, String name, Map<String, String> tags) {

    private static final Set<String> IDENTITY_TAGS = Set.of("service", "instance");

    public SeriesKey {
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    public static SeriesKey of(MetricEvent event) {
        Map<String, String> tags = new TreeMap<>();
        event.getTags().forEach((k, v) -> {
            if (!IDENTITY_TAGS.contains(k)) {
                tags.put(k, v);
            }
        });
        return new SeriesKey(event.getSource(), event.getInstanceId(), event.getName(), tags);
    }

    public String tag(String key) {
        return tags.get(key);
    }

    /** A short label naming the instance and the tags that tell this series apart, e.g. {@code actor-1 p99}. */
    public String label() {
        StringBuilder sb = new StringBuilder(instanceId);
        tags.forEach((k, v) -> sb.append(' ').append(k.equals("statistic") ? v : k + "=" + v));
        return sb.toString();
    }
}
