package dev.qstream.actor.experience;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.Transition;

/** Where experience goes (Acme's Adder role): the Kafka implementation writes the transitions topic. */
public interface Adder {

    /** Writes one step; called in step order for each episode. */
    void add(Transition transition);

    /** Writes the summary of a finished episode. */
    void episodeEnded(Episode episode);

    /** Blocks until everything added so far is acknowledged. */
    void flush();
}
