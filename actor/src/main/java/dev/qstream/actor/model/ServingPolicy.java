package dev.qstream.actor.model;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QFunction;
import dev.qstream.policy.state.StateEncoder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model an actor serves at one moment, with the state encoder its header names: immutable, so a step that
 * took it never sees another version. For masks that span the whole vocabulary it also holds the output layer as an
 * ND4J matrix (built when the version is swapped in, off the serving path), so many states' Q-values come from one
 * gemm.
 */
public final class ServingPolicy {

    private final ModelSnapshot model;
    private final QFunction q;
    private final StateEncoder encoder;
    private final INDArray outputMatrix;

    private ServingPolicy(ModelSnapshot model, boolean withMatrix) {
        this.model = model;
        this.q = new QFunction(model.weights());
        this.encoder = new StateEncoder(model.spec().encoder());
        this.outputMatrix = withMatrix
                ? Nd4j.create(model.weights().w2(), new long[]{model.spec().actions(), model.spec().hidden()}, 'c')
                : null;
    }

    /** A policy for explicit (small) masks only. */
    public static ServingPolicy of(ModelSnapshot model) {
        return new ServingPolicy(model, false);
    }

    /** A policy that can also score every action at once (ALL and TOP_K masks). */
    public static ServingPolicy of(ModelSnapshot model, boolean withMatrix) {
        return new ServingPolicy(model, withMatrix);
    }

    public ModelSnapshot model() {
        return model;
    }

    public QFunction q() {
        return q;
    }

    public StateEncoder encoder() {
        return encoder;
    }

    /** W2 as an [actions × hidden] matrix, or null when this policy serves explicit masks only. */
    public INDArray outputMatrix() {
        return outputMatrix;
    }

    public long version() {
        return model.version();
    }
}
