package dev.spikestep.neuron;

import dev.spikestep.SpikestepException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Numerical integrators of SPEC sections 2-3. Which ones a neuron accepts is checked by its spec. */
public enum Integrator {
    /** Forward Euler (lif and izh). */
    EULER,
    /** The fork's exponential form for lif (SPEC 2: no tau on the input when decay_input=false). */
    EXP,
    /** Exact zero-order-hold solution for lif; equals EXP when decay_input=true. */
    ZOH,
    /** Semi-implicit izh step: adapt w with the old v, then charge v with the new w. */
    SYMPLECTIC;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Integrator parse(String s) {
        for (Integrator i : values()) {
            if (i.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        throw new SpikestepException("unknown integrator '" + s + "': expected one of "
                + Arrays.stream(values()).map(Integrator::cliName).collect(Collectors.joining(", ")));
    }
}
