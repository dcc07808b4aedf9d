//! The long help texts: each command's examples (shown verbatim in a help template, never
//! wrapped, see [`crate::cmd::help_template`]; also the man pages' EXAMPLES) and notes (prose,
//! wrapped by clap to the terminal, after the flags). The flags' own help is on their
//! definitions.

/// The top level (`ipfixkit --help`).
pub const EXAMPLES: &str = "\
Examples:
  ipfixkit cat flows.ipfix                      one line per record
  ipfixkit cat -f json flows.ipfix.gz | jq .    NDJSON, gzip recognised by content
  ipfixkit cat -f csv -F sourceIPv4Address,octetDeltaCount f.ipfix > f.csv
  ipfixkit cat --templates --stats flows.ipfix  what is in a file
  ipfixkit convert --to csv -d out/ *.ipfix.gz  one CSV per input, in parallel
  ipfixkit convert --to ipfix rows.csv -o x.ipfix   CSV (or JSON lines) to IPFIX
  ipfixkit filter 'proto udp and port 53' f.ipfix -o dns.ipfix
  ipfixkit <COMMAND> --help                     more on each command";

/// `ipfixkit cat`.
pub mod cat {
    pub const EXAMPLES: &str = "\
Examples:
  ipfixkit cat flows.ipfix
      one line per record: DOMAIN/TEMPLATE name=value ...
  ipfixkit cat -f json flows.ipfix.zst | jq 'select(.protocolIdentifier == 17)'
      NDJSON: IANA names as keys, @export_time, @domain, @template
  ipfixkit cat -f csv -F sourceIPv4Address,octetDeltaCount a.ipfix b.ipfix
      CSV of chosen columns from two files, in file order (decoded in parallel)
  ipfixkit cat -f detail -n 5 flows.ipfix
      message headers, sets, templates and the first 5 records
  ipfixkit cat --templates --stats flows.ipfix
      the templates and a summary (records per template, times, sequence gaps)
  ipfixkit cat --templates -f json flows.ipfix | jq -c .fields
      one JSON object per template definition
  ipfixkit cat --stats -f csv archive/*.ipfix > summary.csv
      one CSV row of totals per file
  ipfixkit cat -f csv --no-options yaf.ipfix
      flow records only: options records (YAF's statistics) left out
  ipfixkit cat --ie-spec my.iespec vendor.ipfix
      name enterprise IEs defined as `myCounter(12345/1)<unsigned64>[8]` lines
  ipfixkit cat --schema flow -f csv flows.nf9 yaf.ipfix
      one set of columns (src_addr, bytes, time_flow_start_ns...) for NetFlow and IPFIX
  ipfixkit cat --schema flow -f json -F src_addr,dst_addr,bytes --time iso f.ipfix
      chosen flow fields, times as RFC 3339
  ipfixkit cat --schema flow -f csv --map app=en5951:id129 --rename src_mac=src_macaddr ns.ipfix
      an enterprise IE next to the flow fields, a field renamed";

    pub const NOTES: &str = "\
--templates prints text (RFC 7013 §10 specs), -f json (an object per definition: domain, \
template, scope, message, offset, fields with name, pen, id, length, type; one per withdrawal \
too) or -f csv (a row per template field). --stats prints text, -f json (an object per file) \
or -f csv (a row per file); its flow time also counts flowStart/EndSysUpTime, made absolute \
with the domain's systemInitTimeMilliseconds. --templates --stats together print text only. \
Any other -f exits with 2.

--no-options / --options-only work with every record format: -f detail still shows templates \
and set headers; CSV columns come only from the templates whose records are printed; -n counts \
printed records.

--schema flow: every data record as the fields of the common flow schema (goflow2's names), each from the first source the record has: addresses v4 or v6, octetDeltaCount or postOctetDeltaCount or octetTotalCount, times from any flowStart/End IE (uptimes with the domain's systemInitTimeMilliseconds, deltas from the export time) as ns since 1970 (--time iso: RFC 3339), sampling_rate from the record or the domain's sampling options records. Options records are not flows: they are not printed. Biflows become two records (--no-split-biflow: one, with reverse_bytes and reverse_packets). An absent field is an empty CSV cell and no JSON key.

CSV: without -F the columns are @export_time,@domain,@template and then every field of every \
template in the input (union, first-seen order); a record lacking a column gets an empty cell. \
With -F, records that have none of the named IE fields are skipped.

Problems go to stderr as `ipfixkit: FILE: byte OFFSET (message N, set ID): what`; decoding goes \
on at the next message and the exit status is 1 (0 when there were only warnings). Records read \
before a problem are always printed. --strict ends the whole run at the first problem; \
--max-resync bounds the search for the next message after damage.";
}

/// `ipfixkit convert`.
pub mod convert {
    pub const EXAMPLES: &str = "\
Examples:
  ipfixkit convert --to json flows.ipfix > flows.jsonl
      lossless NDJSON: a line per template (\"@fields\") and per record
  ipfixkit convert --to ipfix flows.jsonl -o flows.ipfix
      back to IPFIX: same templates, domains, export times and records
  ipfixkit convert --to csv -d out/ archive/*.ipfix.gz
      one CSV per input, in parallel, with a progress bar on a terminal
  ipfixkit convert --to ipfix rows.csv -o fixture.ipfix --message-size 1400
      CSV to IPFIX: templates from the column names, messages <= 1400 octets
  jq -c 'select(.destinationTransportPort == 53)' flows.jsonl \\
      | ipfixkit convert --to ipfix - -o dns.ipfix
  ipfixkit convert --to csv --schema flow -d out/ archive/*.nf9 archive/*.ipfix
      the flow schema's fixed columns for every exporter (see `cat --help`)
  ipfixkit convert --to parquet --schema flow archive/*.ipfix -o flows.parquet
      typed Parquet of the flow schema: `SELECT src_addr, sum(bytes) FROM 'flows.parquet' ...`
  ipfixkit convert --to parquet --schema flow --partition hour -d lake/ archive/*.ipfix
      Hive-style lake/date=2024-05-01/hour=13/part-00000.parquet, by flow start (UTC)";

    pub const NOTES: &str = "\
Input format is recognised from content (IPFIX, JSON lines, CSV), compressed or not; --from \
overrides. From JSON/CSV, keys are IE names (`octetDeltaCount`), `name[4]` forces a reduced \
length, `name#2` repeats an IE, `en<PEN>:id<ID>` is an unnamed IE (hex); `@export_time`, \
`@domain`, `@template` and `@scope` are honoured. Records with another set of keys get their \
own template. Values use the same text forms `cat` prints. A line (or CSV row) that does not \
parse is reported with file, line and column and left out; the other records are written and \
the exit status is 1 (--strict stops at the first bad line, keeping the records before it). \
A bad CSV header, or an input with no good line, writes nothing. A key repeated in one JSON \
object is an error; repeated CSV columns are `name`, `name#2`, ... A leading byte-order mark \
is skipped.

--to parquet: the columns of CSV (metadata, then the union of the templates' fields), typed: \
unsignedN as UINT8..64 (--signed: INT16..64, unsigned64 as INT64 or DECIMAL(20,0)), signedN \
as INT8..64, float32/64, boolean, dateTime* and @export_time as TIMESTAMP (UTC, \
--timestamp-unit), string as UTF8 (not UTF-8: the text {\"@hex\":\"..\"}), octetArray as \
BINARY, addresses and MACs as text, a basicList of one scalar type as a LIST of it, \
subTemplateList and subTemplateMultiList as their JSON text; absent fields are null. With --schema flow: the three times as TIMESTAMP, addresses, MACs and prefixes as text (--render ...=int: numbers), mpls_label as a LIST of UINT32, every other number as UINT64 (--signed: INT64), --map columns by their IE's type. --partition hour|day (with -d) writes DIR/date=YYYY-MM-DD[/hour=H]/part-N.parquet from input N, by flow start in UTC (no start: date=__HIVE_DEFAULT_PARTITION__), every file with the same columns, published when its input is complete.

--no-options / --options-only (JSON and CSV output) leave out or keep only options records; \
JSON output keeps every template line.

CSV output: columns are @export_time,@domain,@template then the union of all templates' \
fields (each template's field order kept where templates agree: one header cannot hold two \
orders of the same fields), empty cells where a record lacks a field. Because \
an empty cell means \"absent\", an empty string value does not survive CSV -> IPFIX.";
}

/// `ipfixkit filter`.
pub mod filter {
    pub const EXAMPLES: &str = "\
Expressions:
  octetDeltaCount > 1000000           compare: == != < <= > >= (name, value)
  octetDeltaCount > 1M                k M G T: 1000-based, as nfdump
  flowStartSeconds >= 2024-05-01      RFC 3339 times, UTC unless zoned
  flowStartSeconds < 2024-05-01T00:10:00
  flowStartMilliseconds < \"2024-05-01 00:10:00.5\"
  flowStartMilliseconds > 1714522200000   epoch integers in the IE's unit
  sourceIPv4Address in 10.0.0.0/8     prefixes, IPv4 and IPv6
  destinationTransportPort in [53, 443, 8080]
  applicationName ~ \"^ht\"             regular expression on strings
  tcpControlBits & 0x02               bit test (any set); & 0x12 == 0x12: all
  exists(reverseOctetDeltaCount)      the record has the IE
  not (a or b) and c, also ! || &&    logic and parentheses (100 deep)

nfdump-style shorthands:
  proto tcp|udp|icmp|icmp6|sctp|gre|esp|ah|N
  src ip ADDR, dst ip ADDR, ip ADDR   either side (host = ip)
  ip in [192.0.2.1, 2001:db8::1, 10.0.0.0/8]
  src net PREFIX, dst net PREFIX, net PREFIX, net in [..]
  src port N, dst port > 1023, port 53-80, port in [53, 80..90]
  bytes > 1M, packets >= 10k          delta or total counter
  flags S, flags SA                   all the TCP flags given are set
                                      (F S R P A U E C; X = FSRPAU)

Examples:
  ipfixkit filter 'proto udp and dst port 53' f.ipfix -o dns.ipfix
  ipfixkit filter --count 'bytes > 1M' archive/*.ipfix.zst
  ipfixkit filter -f json 'src net 2001:db8::/32' f.ipfix | jq .
  zstdcat f.ipfix.zst | ipfixkit filter -f csv 'proto tcp' > tcp.csv
  ipfixkit filter --invert 'ip 192.0.2.1' f.ipfix -o without.ipfix
  ipfixkit filter -f csv --schema flow 'proto tcp' f.nf5 > tcp.csv";

    pub const NOTES: &str = "\
A test on an IE the record does not have is false (so `not` of it is true). \
Unsigned 64-bit values compare exactly. Names and values are checked when \
the expression is parsed; a typo gets the closest name (did you mean ...?). \
Quote the expression: it is one argument, the first.

IPFIX output (the default) carries the templates the kept records need and \
every options record (they are not filtered); it is refused on a terminal \
unless -o or --force.";
}

/// `ipfixkit merge`.
pub mod merge {
    pub const EXAMPLES: &str = "\
Examples:
  ipfixkit merge exporter-a.ipfix exporter-b.ipfix -o day.ipfix
  ipfixkit merge --by none 2024-05-01/*.ipfix.zst -o 2024-05-01.ipfix
  ipfixkit merge --domain per-input -v collector1.ipfix collector2.ipfix -o all.ipfix
  ipfixkit merge --memory 1G --temp-dir /var/tmp unordered/*.ipfix -o sorted.ipfix
  ipfixkit merge --metadata router.nf9 switch.nf5 yaf.ipfix -o flows.ipfix";

    pub const NOTES: &str = "\
Records are copied as their octets: every value, reduced size and variable-length \
encoding survives. Templates that collide (same domain and ID, another layout) get new \
IDs, those inside subTemplateList values included; identical layouts share one ID. \
Sequence numbers are recomputed per domain, export times never go back, messages are \
packed up to --message-size; a record put in a message exported later than its own has \
its flowStart/EndDeltaMicroseconds grown by the difference, so its times stay. NetFlow \
v5/v9 inputs are translated to IPFIX.

--by time orders by flow start (flowStart* at any precision, flowStartSysUpTime with \
systemInitTimeMilliseconds, flowStartDeltaMicroseconds from the export time), a record \
without one by its export time; ties keep input order. Each input is read twice: the \
first pass finds its templates and whether it is in order already. Inputs in order are \
merged as they stream; the others are sorted in --memory and spilled as sorted runs \
to --temp-dir. --presorted makes a step back in an input an error.

RFC 5610 type records come first; the inputs' RFC 5655 metadata records are dropped \
(--metadata writes new ones for the output). A damaged input is reported and its \
readable records are merged; the exit status is then 1.";
}

/// `gen`.
pub mod generate {
    pub const EXAMPLES: &str = "\
Examples:
  ipfixkit gen -n 100000 -o flows.ipfix          100k IPv4 flows, seed 1
  ipfixkit gen --profile biflow --seed 7 -n 1000 -o bi.ipfix
  ipfixkit gen --profile flow6 --domains 3 --sampling 100 -o v6.ipfix
  ipfixkit gen --profile all-types -n 100 -o edge-values.ipfix
  ipfixkit gen -n 20000 --corrupt bad-set-length -o bad.ipfix
  ipfixkit gen --template sourceIPv4Address,octetDeltaCount[4],wlanSSID -n 50 -o t.ipfix
  ipfixkit gen --start 2025-06-01T12:00:00Z --duration 1h -n 360000 -o hour.ipfix
  ipfixkit gen --format csv -n 10 -F sourceIPv4Address,destinationTransportPort
  ipfixkit gen --netflow 9 --template-refresh 10 -o v9.bin   NetFlow v9 export packets
  ipfixkit gen --netflow 5 --pcap -o v5.pcap     v5 packets as UDP to 192.0.2.2:2055
  ipfixkit gen --pcap --collector 198.51.100.7:4739 -o ipfix.pcap   (tcpreplay it)
  ipfixkit gen --packets -n 100000 -o flows.pcap --flows-out truth.ipfix";

    pub const NOTES: &str = "\
The same flags and seed give the same bytes on every machine and with any -j: records \
are made in chunks of 4096, each from its own stream of the seed (a generator built into \
ipfixkit, so no dependency update changes a fixture), and nothing reads the clock.

Flows are realistic: TCP-dominated (HTTPS, HTTP, SSH, mail), DNS, QUIC and NTP over UDP, \
some ICMP (type and code, no ports); addresses only from the documentation ranges (RFC \
5737, RFC 3849) with a few hosts far more popular than the rest; heavy-tailed packet \
counts, 20 (IPv4) or 40 (IPv6) to 1500 octets per packet; a flow ends no earlier than it \
starts; TCP flags only on TCP. Flow starts increase at --rate per second (default 100, \
or records / --duration); each chunk is exported when its last flow has ended, export \
times never go back, and sequence numbers count each domain's records.

Options records: RFC 5610 type records for every enterprise IE a --template uses, a \
PSAMP sampling record per domain with --sampling, and the RFC 5655 file time window and \
export session details at the end (--no-metadata leaves them out).

--netflow 9 writes RFC 3954 export packets (at most --message-size octets, 1400 by \
default): templates in a source's first packet and every --template-refresh packets, \
flowStart/EndMilliseconds as uptimes from the exporter's boot (an hour before --start), \
--sampling as an options record; enterprise and variable-length fields cannot be carried \
(biflow, structured, all-types are refused). --netflow 5 writes the netflow5 profile, 30 \
records per packet, the engine ID being the domain. `ipfixkit cat` reads both back with \
the same values as the IPFIX of the same seed.

--pcap wraps each message or packet in an Ethernet/IP/UDP frame from --exporter to \
--collector (port 4739 for IPFIX, 2055 for NetFlow), timed at its export time; tshark and \
tcpreplay take it.

--packets writes the packets of the flows instead, as a pcap in time order (VLAN and QinQ \
tags, IP fragments, TCP handshakes and FIN or RST, UDP, ICMP; at most 64 packets per \
direction, no gap of 10 s, no flow of 300 s), and --flows-out FILE the flows a meter with \
a 15 s idle timeout must make of them, one IPFIX record per direction.";
}

pub mod pcap2ipfix {
    pub const EXAMPLES: &str = "\
Examples:
  ipfixkit pcap2ipfix trace.pcap -o flows.ipfix       meter a capture (15 s idle, 30 min active)
  ipfixkit pcap2ipfix day/*.pcap.gz -o day.ipfix      many captures, one file in flow start order
  ipfixkit pcap2ipfix -d flows/ a.pcapng b.pcap       one output per capture, in parallel
  ipfixkit pcap2ipfix --idle-timeout 60 --active-timeout 5m --biflow trace.pcap -o bi.ipfix
  tcpdump -w - -i eth0 | ipfixkit pcap2ipfix - -o live.ipfix
  ipfixkit pcap2ipfix -f csv -F srcip,dstip,dstport,proto,packets,bytes trace.pcap
  ipfixkit pcap2ipfix --stats trace.pcap -o /dev/null
  ipfixkit pcap2ipfix --extract exporter.pcap -o flows.ipfix   the flows an exporter sent
  ipfixkit pcap2ipfix --extract --port 2055 --stats a.pcap b.pcap -f json";

    pub const NOTES: &str = "\
Timers run on packet time: a flow with no packet for --idle-timeout ends (flowEndReason 1), \
one that began --active-timeout ago ends (2), a TCP flow that saw RST or FIN from both sides \
ends when it goes idle, a new SYN reuses its key or the capture ends (3), the end of the \
capture ends the rest (4), and --max-flows pushes out the least recently seen flow (5). \
Nothing reads the wall clock: the same capture gives the same flows.

The key: addresses, protocol, ports (for ICMP the type and code instead), the outer and \
inner VLAN IDs. Octets are IP lengths on the wire (a capture cut by its snaplen counts what \
was sent). Later IP fragments join the flow of their first fragment. Non-IP frames are \
counted and skipped (--stats).

Output: flows ordered by start (sorted in bounded memory), a metering-process options \
record (the timeouts) and the RFC 5655 time window; -f json|csv prints them as convert \
does (--schema flow too).

--extract reads the NetFlow v5/v9 and IPFIX export packets a capture holds instead (UDP, \
found by content on any port, IP fragments joined): templates per exporter (address and \
port) and domain, each of which becomes an output domain named by an options record \
(exporterIPv4Address, exporterTransportPort); data ahead of its template is held until it \
comes; captures given together share their exporters' templates.";
}
