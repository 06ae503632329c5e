package dev.spikestep;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What the build recorded about itself: the commit the jar was built from. Recorded at build time
 * (the Makefile passes git's HEAD to Maven's resource filtering), not looked up where the program
 * runs: the working directory of a run is any directory, and a jar carried to another machine has
 * no checkout beside it.
 */
public final class BuildInfo {
    static final String RESOURCE = "/spikestep-build.properties";
    private static final String COMMIT = read(BuildInfo.class.getResourceAsStream(RESOURCE));

    private BuildInfo() {
    }

    /** The commit (40 hex digits, "-dirty" when built with uncommitted changes), or "unknown". */
    public static String commit() {
        return COMMIT;
    }

    /** The commit recorded in {@code in} (the properties resource), or "unknown" where none was. */
    static String read(InputStream in) {
        if (in == null) {
            return "unknown";
        }
        Properties p = new Properties();
        try (in) {
            p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        String c = p.getProperty("commit", "").trim();
        return c.matches("[0-9a-f]{40}(-dirty)?") ? c : "unknown"; // unfiltered "${...}" or a plain mvn build
    }
}
