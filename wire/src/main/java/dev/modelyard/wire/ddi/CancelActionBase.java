package dev.modelyard.wire.ddi;

/** The answer of {@code cancelAction/{id}}: stop the action {@code stopId}. */
public record CancelActionBase(String id, CancelAction cancelAction) {

    public record CancelAction(String stopId) {
    }

    public static CancelActionBase of(long actionId) {
        String id = Long.toString(actionId);
        return new CancelActionBase(id, new CancelAction(id));
    }
}
