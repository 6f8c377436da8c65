package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.ServiceOptions;
import dev.qstream.launcher.options.MetricsOptions;
import dev.qstream.launcher.options.KafkaOptions;
import dev.qstream.runtime.kafka.KafkaUnreachableException;
import dev.qstream.runtime.metrics.PrometheusEndpoint;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.service.ServiceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one service until it is told to stop: connects (failing fast and clearly when Kafka is unreachable), starts
 * the service, then waits for SIGTERM/Ctrl-C, or for the parent process to exit when started by {@code up}.
 */
final class ServiceRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    /** Starts a service given its context; returns what must be closed on shutdown. */
    interface Starter {
        ManagedService start(ServiceContext context) throws Exception;
    }

    private ServiceRunner() {
    }

    /** Runs a service command's service under {@code id} with its Kafka, metrics and lifetime options. */
    static int run(ServiceOptions service, String source, String id, Starter starter) {
        return run(service.kafka, service.metrics, source, id, service.exitWithParent, starter);
    }

    /** The instance id given, or {@code <source>-<host>-<pid>}. */
    static String instanceId(ServiceOptions service, String source) {
        return service.instanceId != null ? service.instanceId : defaultInstanceId(source);
    }

    static int run(KafkaOptions kafka, String source, String instanceId, boolean exitWithParent, Starter starter) {
        return run(kafka, null, source, instanceId, exitWithParent, starter);
    }

    /** As above, and serves the instance's meters for Prometheus when {@code metrics} asks for it. */
    static int run(KafkaOptions kafka, MetricsOptions metrics, String source, String instanceId, boolean exitWithParent,
                   Starter starter) {
        ServiceContext context;
        try {
            context = ServiceContext.start(kafka.settings(), source, instanceId, kafka.startupTimeout,
                    ServiceContext.DEFAULT_METRICS_INTERVAL);
        } catch (KafkaUnreachableException e) {
            System.err.println("qstream " + source + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            System.err.println("qstream " + source + ": " + e.getMessage());
            return 2;
        }
        if (metrics != null && metrics.enabled()) {
            try {
                PrometheusEndpoint endpoint = context.exposeMetrics(metrics.host, metrics.port);
                System.out.println(MetricsOptions.READY_PREFIX + endpoint.url());
                System.out.flush();
            } catch (RuntimeException e) {
                System.err.println("qstream " + source + ": " + e.getMessage());
                context.close();
                return 2;
            }
        }
        ManagedService service;
        try {
            service = starter.start(context);
        } catch (Exception e) {
            System.err.println("qstream " + source + ": cannot start: " + e.getMessage());
            LOG.debug("start failure", e);
            context.close();
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await(TimeUnit.SECONDS.toMillis(40), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, source + "-shutdown"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                LOG.info("parent process exited; shutting down");
                stop.countDown();
            }));
        }
        LOG.info("{} {} running against {}", source, instanceId, kafka.settings().bootstrapServers());
        String failure = null;
        try {
            while (!stop.await(1, TimeUnit.SECONDS)) {
                failure = service.failure();
                if (failure != null) {
                    System.err.println("qstream " + source + ": " + failure + "; exiting so that a supervisor can restart it");
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("{} {} shutting down", source, instanceId);
        try {
            service.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", source, e.toString());
        } finally {
            context.close();
            closed.countDown();
        }
        return failure == null ? 0 : 1;
    }

    static String defaultInstanceId(String source) {
        String host = System.getenv().getOrDefault("HOSTNAME", "local");
        return source + "-" + host + "-" + ProcessHandle.current().pid();
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
