package dev.modelyard.device.runtime;

/** A candidate model could not be swapped in; the running model was left untouched. */
public class SwapException extends Exception {

    public enum Stage { LOAD, WARM_UP, SELF_TEST }

    private final Stage stage;

    public SwapException(Stage stage, String message, Throwable cause) {
        super(stage.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " failed: " + message, cause);
        this.stage = stage;
    }

    public Stage stage() {
        return stage;
    }
}
