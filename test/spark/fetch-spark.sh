#!/usr/bin/env bash
# Assembles the conformance suite's Spark Thrift Server once, in a cache, and prints its directory:
#   Spark 4.0.1 with its Thrift server: the jars of the pyspark 4.0.1 source distribution on PyPI
#     (Maven Central does not serve spark-hive-thriftserver_2.13 here), pinned by its sha256;
#   Delta Lake 4.0.0: from Maven Central through test/spark/pom.xml.
# NDS_SPARK_HOME overrides the cache directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${NDS_SPARK_HOME:-$HOME/.cache/notion-delta-sync/spark-4.0.1-delta-4.0.0}"
if [ -f "$home/READY" ]; then echo "$home"; exit 0; fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetch-spark: assembling Spark 4.0.1 + Delta 4.0.0 into $home (once)" >&2
printf 'pyspark==4.0.1 --hash=sha256:9d1f22d994f60369228397e3479003ffe2dd736ba79165003246ff7bd48e2c73\n' > "$tmp/requirements.txt"
python3 -m pip download --quiet --no-deps --no-binary :all: --require-hashes -r "$tmp/requirements.txt" -d "$tmp" >&2
tar -xzf "$tmp/pyspark-4.0.1.tar.gz" -C "$tmp" --wildcards 'pyspark-4.0.1/deps/jars/*'
rm -rf "$home" && mkdir -p "$home"
mv "$tmp/pyspark-4.0.1/deps/jars" "$home/jars"
mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$home/jars" >&2

# One copy of each library: Delta must not bring a second Spark, Scala or ANTLR.
for lib in spark-core_ scala-library- antlr4-runtime- delta-spark_; do
  count="$(find "$home/jars" -name "${lib}*.jar" | wc -l)"
  if [ "$count" -ne 1 ]; then echo "fetch-spark: expected one ${lib}*.jar, found $count" >&2; exit 1; fi
done
touch "$home/READY"
echo "$home"
