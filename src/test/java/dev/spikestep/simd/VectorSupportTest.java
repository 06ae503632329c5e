package dev.spikestep.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VectorSupportTest {
    @Test
    void trapLimitsCountOnlyWhenBothAreRaised() {
        assertFalse(VectorSupport.jitLimitsRaised(List.of()));
        assertFalse(VectorSupport.jitLimitsRaised(List.of("-Xmx4g", "-XX:PerMethodTrapLimit=10000")));
        assertFalse(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodRecompilationCutoff=10000")));
        assertTrue(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodTrapLimit=10000", "-XX:PerMethodRecompilationCutoff=10000")));
        assertTrue(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodTrapLimit=20000", "-XX:PerMethodRecompilationCutoff=-1")));
        // below the values jvm-options sets, or not a number
        assertFalse(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodTrapLimit=1000", "-XX:PerMethodRecompilationCutoff=10000")));
        assertFalse(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodTrapLimit=lots", "-XX:PerMethodRecompilationCutoff=10000")));
    }

    @Test
    void theLastOfAFlagWinsAsInHotSpot() {
        assertFalse(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodTrapLimit=10000", "-XX:PerMethodRecompilationCutoff=10000",
                "-XX:PerMethodTrapLimit=100")));
        assertTrue(VectorSupport.jitLimitsRaised(List.of("-XX:PerMethodTrapLimit=100", "-XX:PerMethodRecompilationCutoff=10000",
                "-XX:PerMethodTrapLimit=10000")));
    }

    /** The launcher's options are the ones this class checks for: the script and the constants cannot drift. */
    @Test
    void theLaunchersOptionsRaiseTheLimits() throws Exception {
        Process p = new ProcessBuilder("bash", Path.of("src/main/sh/jvm-options").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> opts = Arrays.asList(out.split("\\s+"));
        assertTrue(VectorSupport.jitLimitsRaised(opts), out);
        int i = opts.indexOf("--add-modules");
        assertTrue(i >= 0 && opts.get(i + 1).equals("jdk.incubator.vector"), out);
        assertTrue(opts.contains("-XX:ObjectAlignmentInBytes=" + VectorSupport.OBJECT_ALIGNMENT), out);
        // pom.xml's shipped-jvm-options execution runs the CPU network under these very options.
        String pom = java.nio.file.Files.readString(Path.of("pom.xml"));
        int exec = pom.indexOf("<id>shipped-jvm-options</id>");
        assertTrue(exec >= 0, "pom.xml has the shipped-jvm-options execution");
        String argLine = pom.substring(pom.indexOf("<argLine>", exec) + 9, pom.indexOf("</argLine>", exec)).trim();
        assertTrue(argLine.endsWith(" " + out), "pom.xml's shipped-jvm-options argLine ends with the launcher's options:\n"
                + argLine + "\n" + out);
    }

    @Test
    void theLineLeadIsTwelveFloatsOnlyWhereObjectsSitOnLinesWithTheDefaultHeader() {
        assertEquals(12, VectorSupport.lineLead("64", "true", "false"));
        assertEquals(12, VectorSupport.lineLead("128", "true", null)); // JDK 17: no compact headers flag
        assertEquals(0, VectorSupport.lineLead("8", "true", "false")); // the default alignment: unknown
        assertEquals(0, VectorSupport.lineLead("32", "true", "false"));
        assertEquals(0, VectorSupport.lineLead("64", "false", "false")); // a longer header
        assertEquals(0, VectorSupport.lineLead("64", "true", "true")); // compact headers: a shorter one
        assertEquals(0, VectorSupport.lineLead(null, null, null)); // no java.management
        // (64 - 16) bytes to the line from a float[]'s elements
        assertEquals(0, (VectorSupport.FLOAT_ARRAY_BASE + 4 * VectorSupport.lineLead("64", "true", "false")) % 64);
    }

    @Test
    void startUpLineSaysWhetherTheLimitsAreRaised() {
        // The tests' JVMs run without them (pom.xml's argLines): the caveats must say so.
        boolean raised = VectorSupport.jitLimitsRaised(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (VectorSupport.ENABLED) {
            boolean lines = VectorSupport.lineLead() != 0;
            assertEquals(raised && lines, VectorSupport.caveats().isEmpty(), VectorSupport.caveats());
            assertEquals(!raised, VectorSupport.describe().contains("trap limits"), VectorSupport.describe());
            assertEquals(!lines, VectorSupport.describe().contains("not on cache lines"), VectorSupport.describe());
        } else {
            assertEquals("", VectorSupport.caveats());
        }
    }
}
