package dev.qstream.actor.model;

/**
 * Where an actor gets its weights from (Acme's VariableClient role). Every step asks for the current policy once
 * and uses only that one, so swaps happen between steps and a step never mixes versions.
 */
public interface VariableClient {

    /** The newest verified policy. */
    ServingPolicy current();
}
