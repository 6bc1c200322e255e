package dev.modelyard.device.runtime;

import java.util.List;
import java.util.Map;

/**
 * Inputs with the outputs a model version must produce for them, within {@code tolerance}
 * (absolute, per element). A candidate that fails any case is never swapped in.
 */
public record SelfTest(List<Case> cases, double tolerance) {

    public record Case(Map<String, Tensor> inputs, Map<String, Tensor> expected) {
    }

    public static final SelfTest NONE = new SelfTest(List.of(), 0);
}
