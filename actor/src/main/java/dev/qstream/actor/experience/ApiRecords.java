package dev.qstream.actor.experience;

import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.Prompt;

/** Where the HTTP API writes what callers send it: prompts to generate for, and feedback on episodes. */
public interface ApiRecords {
    void prompt(Prompt prompt);

    void feedback(Feedback feedback);
}
