package dev.spikestep.neuron;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Numerical integrators of SPEC sections 2-3 and 9. Which ones each model defines is
 * {@link #definedFor}, the one place that says it (the neuron specs, the sweeps, bench and
 * converge all ask here): exp and zoh are lif's, symplectic izh's, and euler, {@code rk2} and
 * {@code rk4} (on the right-hand sides of SPEC 9) both models'.
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

    /** Whether SPEC defines this integrator for {@code model} ({@code lif} or {@code izh}). */
    public boolean definedFor(String model) {
        return switch (model) {
            case "lif" -> this != SYMPLECTIC;
            case "izh" -> this != EXP && this != ZOH;
            default -> throw NeuronSpec.unknownModel("model", model);
        };
    }

    /** The integrators defined for {@code model}, in this enum's order. */
    public static List<Integrator> forModel(String model) {
        return Arrays.stream(values()).filter(i -> i.definedFor(model)).toList();
    }

    /** {@code lif: euler, exp, ...; izh: ...}: what each of {@code models} defines, for messages. */
    public static String byModel(java.util.Collection<String> models) {
        return models.stream().map(m -> m + ": " + String.join(", ", cliNames(m)))
                .collect(java.util.stream.Collectors.joining("; "));
    }

    /** {@link #forModel}'s names, as the command line and the configs spell them. */
    public static List<String> cliNames(String model) {
        return forModel(model).stream().map(Integrator::cliName).toList();
    }

    /** Throws a message that lists {@code model}'s integrators when this one is not among them. */
    void requireDefinedFor(String model) {
        if (!definedFor(model)) {
            List<String> names = cliNames(model);
            throw new SpikestepException("integrator '" + cliName() + "' is not defined for " + model + ": use "
                    + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1));
        }
    }

    /** As {@link #parse(String, String, Collection)} for {@code --integrator}, any model's. */
    public static Integrator parse(String s) {
        return parse("integrator", s, NeuronSpec.MODELS);
    }

    /**
     * The integrator named {@code s}, as option or config key {@code key} gives it; an unknown name is
     * told the integrators that {@code models} define (rstdp's LIF: lif's alone), not all of them.
     */
    public static Integrator parse(String key, String s, Collection<String> models) {
        for (Integrator i : values()) {
            if (i.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        throw new BadValueException(key, "'" + s + "': unknown integrator; expected one of "
                + Arrays.stream(values()).filter(i -> models.stream().anyMatch(i::definedFor)).map(Integrator::cliName)
                    .collect(Collectors.joining(", ")));
    }
}
