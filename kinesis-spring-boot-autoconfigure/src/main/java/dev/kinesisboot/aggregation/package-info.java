/**
 * Many user records in one Kinesis record: the KPL aggregated format
 * ({@link dev.kinesisboot.aggregation.RecordAggregator},
 * {@link dev.kinesisboot.aggregation.RecordDeaggregator}) and two simpler packings for
 * consumers without KPL support
 * ({@link dev.kinesisboot.aggregation.NewlineDelimitedJsonPacker},
 * {@link dev.kinesisboot.aggregation.LengthPrefixedPacker}), plus the framings of the
 * Python library async-kinesis ({@link dev.kinesisboot.aggregation.RecordFormat}: JSON
 * lines, JSON lists, netstring frames of JSON or MessagePack, plain text).
 * <p>
 * The KPL format is the magic bytes {@code F3 89 9A C2}, a protobuf
 * {@code AggregatedRecord} (a partition key table, an explicit hash key table and the
 * user records, each naming its keys by index and holding its data), and the 16-byte MD5
 * of the protobuf bytes. The few protobuf fields are written and read by hand
 * ({@code KplFormat}): the schema is three small messages that have not changed since the
 * KPL's first release, and doing so keeps protobuf-java (a large runtime whose major
 * versions clash with the one gRPC or the KCL bring into an application) and a code
 * generation step out of the library. Tests cross-check the bytes against the KCL's own
 * de-aggregation.
 * <p>
 * Who can read what:
 * <ul>
 * <li>KPL aggregated ({@code ProducerOptions.aggregationEnabled}):
 * {@code KinesisConsumer} (by default), the KCL (1.x to 3.x), Firehose (it de-aggregates
 * before delivery and before a transformation Lambda); a Lambda function reading the
 * stream directly gets the aggregated bytes and needs the kinesis-aggregation
 * library.</li>
 * <li>Newline-delimited JSON: everyone, with a line split; Firehose writes records back
 * to back, so its S3 objects are valid newline-delimited JSON; {@code KinesisConsumer}
 * with the packer's {@code unpacker()}.</li>
 * <li>Length-prefixed: anyone who reads the 4-byte lengths (a few lines in a Lambda
 * function or a KCL processor); Firehose cannot split it and delivers each record as a
 * blob; {@code KinesisConsumer} with the packer's {@code unpacker()}.</li>
 * </ul>
 */
package dev.kinesisboot.aggregation;
