package dev.spikestep.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikestep.SpikestepException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which integrators each model defines: Integrator.definedFor, and the neuron specs that enforce it. */
class IntegratorTest {
    @Test
    void eachModelListsItsIntegrators() {
        assertEquals(List.of("euler", "exp", "zoh", "rk2", "rk4"), Integrator.cliNames("lif"));
        assertEquals(List.of("euler", "symplectic", "rk2", "rk4"), Integrator.cliNames("izh"));
        SpikestepException e = assertThrows(SpikestepException.class, () -> Integrator.EULER.definedFor("hh"));
        assertEquals("--model 'hh': unknown model; expected lif or izh", e.getMessage());
        // an unknown name is told the integrators of the models it may be for, as the option that gave it
        e = assertThrows(SpikestepException.class, () -> Integrator.parse("integrators", "rk5", List.of("izh")));
        assertEquals("--integrators 'rk5': unknown integrator; expected one of euler, symplectic, rk2, rk4", e.getMessage());
        e = assertThrows(SpikestepException.class, () -> Integrator.parse("rk5"));
        assertEquals("--integrator 'rk5': unknown integrator; expected one of euler, exp, zoh, symplectic, rk2, rk4",
                e.getMessage());
    }

    @Test
    void theSpecsAcceptExactlyTheDefinedOnes() {
        for (Integrator i : Integrator.values()) {
            if (i.definedFor("lif")) {
                assertEquals(i, new LifSpec(i, 1.0, 2.0, 1f, 0f, false, false).integrator());
            } else {
                SpikestepException e = assertThrows(SpikestepException.class,
                        () -> new LifSpec(i, 1.0, 2.0, 1f, 0f, false, false));
                assertEquals("integrator '" + i.cliName() + "' is not defined for lif: use euler, exp, zoh, rk2 or rk4",
                        e.getMessage());
            }
            if (i.definedFor("izh")) {
                assertEquals(i, IzhSpec.notebook(i, 1.0).integrator());
            } else {
                SpikestepException e = assertThrows(SpikestepException.class, () -> IzhSpec.notebook(i, 1.0));
                assertEquals("integrator '" + i.cliName() + "' is not defined for izh: use euler, symplectic, rk2 or rk4",
                        e.getMessage());
            }
        }
    }
}
