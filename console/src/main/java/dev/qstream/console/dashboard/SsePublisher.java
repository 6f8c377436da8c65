package dev.qstream.console.dashboard;

import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Pushes the dashboard's view to every open page as server-sent events ({@code event: snapshot}): the view is
 * rendered once per tick whatever the number of pages, a new page gets one at once, and a page that went away is
 * dropped on the next send.
 */
final class SsePublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SsePublisher.class);
    static final String EVENT = "snapshot";

    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final Supplier<String> view;
    private final ScheduledExecutorService scheduler;

    SsePublisher(Supplier<String> view, Duration every) {
        this.view = view;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-sse");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::pushSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Registers a page: it stays open (keepAlive) and gets the current view right away. */
    void join(SseClient client) {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
        send(client, view.get());
    }

    int clients() {
        return clients.size();
    }

    private void pushSafely() {
        if (clients.isEmpty()) {
            return;
        }
        try {
            String data = view.get();
            for (SseClient c : clients) {
                send(c, data);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not push the dashboard view: {}", e.toString());
        }
    }

    private void send(SseClient client, String data) {
        if (client.terminated()) {
            clients.remove(client);
            return;
        }
        try {
            client.sendEvent(EVENT, data);
        } catch (RuntimeException e) {
            clients.remove(client);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        for (SseClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        clients.clear();
    }
}
