package dev.qstream.actor.model;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.state.StateEncoder;

/**
 * The model an actor serves at one moment, with the state encoder its header names: immutable, so a step that
 * took it never sees another version.
 */
public record ServingPolicy(ModelSnapshot model, QFunction q, StateEncoder encoder) {

    public static ServingPolicy of(ModelSnapshot model) {
        return new ServingPolicy(model, new QFunction(model.weights()), new StateEncoder(model.spec().encoder()));
    }

    public long version() {
        return model.version();
    }
}
