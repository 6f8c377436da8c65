package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


/**
 * The foundation's promise on a real (embedded) broker: prompts → actor → transitions → scorer → scored → learner
 * → model → actor, with the served model version rising once scored transitions flow, and garbage on every input
 * topic stopping nothing.
 */
class LocalLoopIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void theLoopClosesAndGarbageOnEveryInputTopicStopsNoService() throws Exception {
        LoopClosure.verify(broker.bootstrapServers(), "it");
    }
}
