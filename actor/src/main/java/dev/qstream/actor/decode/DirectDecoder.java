package dev.qstream.actor.decode;

import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.actor.model.VariableClient;

import java.util.List;

/** Decides on the caller's thread, one state at a time: the lowest latency for a single request. */
public final class DirectDecoder implements StepDecoder {

    private final VariableClient variables;

    public DirectDecoder(VariableClient variables) {
        this.variables = variables;
    }

    @Override
    public ServingPolicy policyFor(String episodeId) {
        return variables.policyFor(episodeId);
    }

    @Override
    public Decision decide(StepRequest request) {
        ServingPolicy policy = request.policy() != null ? request.policy() : variables.current();
        return DecisionMaker.decide(policy, List.of(request))[0];
    }
}
