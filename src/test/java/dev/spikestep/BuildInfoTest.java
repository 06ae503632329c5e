package dev.spikestep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
    private static String read(String text) {
        return BuildInfo.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theCommitIsTheOneTheBuildRecordedOrUnknown() {
        String c = "0123456789abcdef0123456789abcdef01234567";
        assertEquals(c, read("# x\ncommit=" + c + "\n"));
        assertEquals(c + "-dirty", read("commit=" + c + "-dirty\n"), "built with uncommitted changes");
        assertEquals("unknown", read("commit=${spikestep.commit}\n"), "not filtered");
        assertEquals("unknown", read("commit=unknown\n"), "a plain mvn build");
        assertEquals("unknown", read("commit=main\n"));
        assertEquals("unknown", read(""));
        assertEquals("unknown", BuildInfo.read(null), "no resource");
    }

    @Test
    void theTestBuildHasTheResourceFiltered() {
        // mvn test filters it too: the pom's default (unknown) or the -Dspikestep.commit given
        assertTrue(BuildInfo.class.getResourceAsStream(BuildInfo.RESOURCE) != null);
        assertTrue(BuildInfo.commit().equals("unknown") || BuildInfo.commit().matches("[0-9a-f]{40}(-dirty)?"),
                BuildInfo.commit());
    }
}
