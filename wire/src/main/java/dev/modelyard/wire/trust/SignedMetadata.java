package dev.modelyard.wire.trust;

import java.util.Map;

/** A document that goes into the {@code signed} part of an envelope. */
public sealed interface SignedMetadata permits RootMetadata, ArtifactMetadata, RollbackAuthorization {

    /** The format version written into every document as {@code specVersion}. */
    int SPEC_VERSION = 1;

    /** The {@code _type} field. */
    String type();

    /** The JSON object form, with {@code _type} and {@code specVersion}. */
    Map<String, Object> toMap();
}
