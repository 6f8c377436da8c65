package dev.qstream.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Where decoders look for writer schemas they were not built with: the process-wide plug point. Services install
 * a store backed by the {@code qstream.schemas} topic at start; a schema registry would plug in here the same way
 * (a {@link SchemaStore} that asks the registry by fingerprint). With nothing installed, only the shipped history
 * is known.
 */
public final class SchemaDirectory {

    private static volatile SchemaStore remote;

    private SchemaDirectory() {
    }

    public static void install(SchemaStore store) {
        remote = store;
    }

    public static void uninstall() {
        remote = null;
    }

    /** The schema with this fingerprint, or null when nobody announced it. */
    public static Schema lookup(long fingerprint) {
        SchemaStore store = remote;
        return store == null ? null : store.findByFingerprint(fingerprint);
    }
}
