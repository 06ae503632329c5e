package dev.spikestep.neuron;

import dev.spikestep.SpikestepException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Numerical integrators of SPEC sections 2-3 and 9. Which ones a neuron accepts is checked by its
 * spec; {@code rk2} and {@code rk4} are defined for both models on the right-hand sides of SPEC 9.
 */
public enum Integrator {
    /** Forward Euler (lif and izh). */
    EULER,
    /** The fork's exponential form for lif (SPEC 2: no tau on the input when decay_input=false). */
    EXP,
    /** Exact zero-order-hold solution for lif; equals EXP when decay_input=true. */
    ZOH,
    /** Semi-implicit izh step: adapt w with the old v, then charge v with the new w. */
    SYMPLECTIC,
    /** Heun's method (SPEC 9): two evaluations of the right-hand side per (sub-)step, order 2. */
    RK2,
    /** The classic Runge-Kutta method (SPEC 9): four evaluations per (sub-)step, order 4. */
    RK4;

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
