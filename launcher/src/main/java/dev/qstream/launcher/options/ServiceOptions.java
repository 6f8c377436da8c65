package dev.qstream.launcher.options;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every long-running service command shares: where Kafka is, where metrics are served, and who it is. */
public final class ServiceOptions {

    @Mixin
    public ProducingKafkaOptions kafka;

    @Mixin
    public MetricsOptions metrics;

    @Option(names = "--instance-id", description = "Instance id (default: <service>-<host>-<pid>).")
    public String instanceId;

    /** Set by {@code up} on its children: exit when the parent process does. */
    @Option(names = "--exit-with-parent", hidden = true)
    public boolean exitWithParent;
}
