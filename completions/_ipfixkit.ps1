
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ipfixkit' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ipfixkit'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ipfixkit' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('cat', 'cat', [CompletionResultType]::ParameterValue, 'Prints the records of IPFIX files')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Converts between IPFIX, JSON lines and CSV, and to Parquet')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Keeps the records for which an expression holds')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merges files from many exporters into one valid, time-ordered IPFIX file')
            [CompletionResult]::new('gen', 'gen', [CompletionResultType]::ParameterValue, 'Writes synthetic, realistic flow records: the same bytes for the same arguments')
            [CompletionResult]::new('pcap2ipfix', 'pcap2ipfix', [CompletionResultType]::ParameterValue, 'Meters packet captures (pcap, pcapng) into IPFIX flow records, by packet time')
            [CompletionResult]::new('docs', 'docs', [CompletionResultType]::ParameterValue, 'Writes the man pages and shell completions (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ipfixkit;cat' {
            [CompletionResult]::new('--ie-spec', '--ie-spec', [CompletionResultType]::ParameterName, 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated')
            [CompletionResult]::new('--max-resync', '--max-resync', [CompletionResultType]::ParameterName, 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields')
            [CompletionResult]::new('--rename', '--rename', [CompletionResultType]::ParameterName, 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N records (across all files, in input order)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N records (across all files, in input order)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--allow-unknown-fields', '--allow-unknown-fields', [CompletionResultType]::ParameterName, 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the CSV header row')
            [CompletionResult]::new('--no-split-biflow', '--no-split-biflow', [CompletionResultType]::ParameterName, 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'List the templates instead of records: text (RFC 7013 §10 form), -f json (one object per definition) or -f csv (one row per template field)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print a summary per file instead of records: text, -f json (one object per file) or -f csv (one row per file)')
            [CompletionResult]::new('--no-options', '--no-options', [CompletionResultType]::ParameterName, 'Leave out options records (exporter statistics, sampling, type information); templates are still shown where the format shows them')
            [CompletionResult]::new('--options-only', '--options-only', [CompletionResultType]::ParameterName, 'Print only the options records')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;convert' {
            [CompletionResult]::new('--ie-spec', '--ie-spec', [CompletionResultType]::ParameterName, 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated')
            [CompletionResult]::new('--max-resync', '--max-resync', [CompletionResultType]::ParameterName, 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format (default: recognised from content)')
            [CompletionResult]::new('--export-time', '--export-time', [CompletionResultType]::ParameterName, 'From JSON/CSV: export time (RFC 3339 or Unix seconds) for records before the first one with @export_time (default 0); later records without one keep the previous record''s')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`, `name.parquet`), converting inputs in parallel')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`, `name.parquet`), converting inputs in parallel')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields')
            [CompletionResult]::new('--rename', '--rename', [CompletionResultType]::ParameterName, 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)')
            [CompletionResult]::new('--message-size', '--message-size', [CompletionResultType]::ParameterName, 'IPFIX output: largest message in octets')
            [CompletionResult]::new('--compression', '--compression', [CompletionResultType]::ParameterName, 'Parquet: column chunk compression')
            [CompletionResult]::new('--timestamp-unit', '--timestamp-unit', [CompletionResultType]::ParameterName, 'Parquet: unit of TIMESTAMP columns (dateTime* IEs and @export_time, UTC). A finer time than the unit is truncated (dateTimeNanoseconds needs ns to be kept whole)')
            [CompletionResult]::new('--row-group-size', '--row-group-size', [CompletionResultType]::ParameterName, 'Parquet: rows per row group; a row group also ends at about 128 MiB of buffered data. Memory is about one row group per output written at once')
            [CompletionResult]::new('--signed', '--signed', [CompletionResultType]::ParameterName, 'Parquet: write unsigned columns as signed ones, for engines without unsigned types (Hive, older Spark; Spark 3.2+ reads UINT_64 as DECIMAL(20,0)): unsigned8/16/32 as INT16/32/64, unsigned64 as INT64 (`int64`, the default: a value above 2^63-1 fails the input) or DECIMAL(20,0) (`decimal`: lossless)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Parquet with -d DIR: Hive-style partition directories by flow start (UTC), `DIR/date=2024-05-01/hour=13/part-00000.parquet` (`day`: `DIR/date=2024-05-01/...`), file `part-N` from input N, every file of the same columns. Spark, Trino and DuckDB (`hive_partitioning`) read `date` and `hour` as columns and skip the others')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--allow-unknown-fields', '--allow-unknown-fields', [CompletionResultType]::ParameterName, 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the CSV header row')
            [CompletionResult]::new('--no-split-biflow', '--no-split-biflow', [CompletionResultType]::ParameterName, 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)')
            [CompletionResult]::new('--no-options', '--no-options', [CompletionResultType]::ParameterName, 'Leave out options records (exporter statistics, sampling, type information); templates are still shown where the format shows them')
            [CompletionResult]::new('--options-only', '--options-only', [CompletionResultType]::ParameterName, 'Print only the options records')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write binary IPFIX even when stdout is a terminal')
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'IPFIX output: end the file with RFC 5655 §8 metadata (file time window, export session details)')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;filter' {
            [CompletionResult]::new('--ie-spec', '--ie-spec', [CompletionResultType]::ParameterName, 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated')
            [CompletionResult]::new('--max-resync', '--max-resync', [CompletionResultType]::ParameterName, 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields')
            [CompletionResult]::new('--rename', '--rename', [CompletionResultType]::ParameterName, 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)')
            [CompletionResult]::new('--message-size', '--message-size', [CompletionResultType]::ParameterName, 'IPFIX output: largest message in octets')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Print only the number of matching records')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only the number of matching records')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Keep the records for which the expression does not hold')
            [CompletionResult]::new('--invert', '--invert', [CompletionResultType]::ParameterName, 'Keep the records for which the expression does not hold')
            [CompletionResult]::new('--allow-unknown-fields', '--allow-unknown-fields', [CompletionResultType]::ParameterName, 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the CSV header row')
            [CompletionResult]::new('--no-split-biflow', '--no-split-biflow', [CompletionResultType]::ParameterName, 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write binary IPFIX even when stdout is a terminal')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;merge' {
            [CompletionResult]::new('--ie-spec', '--ie-spec', [CompletionResultType]::ParameterName, 'Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as python-ipfix writes them); `#` starts a comment. May be repeated')
            [CompletionResult]::new('--max-resync', '--max-resync', [CompletionResultType]::ParameterName, 'After damage, give an input up when this many octets hold no valid message header (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535 (one maximal message) are raised to it')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for several files (0 = all cores). Output order never depends on it')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Record order: flow start time (else export time), export time, or argument order')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory for sorting unordered inputs (K, M, G suffixes); past it, sorted runs are spilled to temporary files')
            [CompletionResult]::new('--temp-dir', '--temp-dir', [CompletionResultType]::ParameterName, 'Where sorted runs are spilled (default: the system''s temporary directory)')
            [CompletionResult]::new('--domain', '--domain', [CompletionResultType]::ParameterName, 'Observation domains: each input''s own (`keep`), or a new one per input and domain')
            [CompletionResult]::new('--message-size', '--message-size', [CompletionResultType]::ParameterName, 'IPFIX output: largest message in octets')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop the whole run at the first problem (error or warning) instead of reporting it and resynchronising: no further input is read; what was printed before stays')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print warnings (errors are still printed)')
            [CompletionResult]::new('--presorted', '--presorted', [CompletionResultType]::ParameterName, 'The inputs are each in order already: a record that goes back is an error')
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'End the output with RFC 5655 §8 metadata computed for it (file time window, export session details); the inputs'' own metadata records are always dropped')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr which domains and templates got new IDs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr which domains and templates got new IDs')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write binary IPFIX even when stdout is a terminal')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;gen' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Data records to write')
            [CompletionResult]::new('--records', '--records', [CompletionResultType]::ParameterName, 'Data records to write')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the pseudo-random numbers: the same seed and flags give the same bytes')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'The records'' fields, a template per flag: IE names with an optional `[length]` (`[v]`: variable length), e.g. `sourceIPv4Address,octetDeltaCount[4],wlanSSID`. Records are spread over the templates. Overrides --profile')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The built-in template when no --template is given [default: flow4; netflow5 with --netflow 5]')
            [CompletionResult]::new('--domains', '--domains', [CompletionResultType]::ParameterName, 'Observation domains (1..=N); records go round them in chunks of 4096')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'The first flow''s start: RFC 3339 (`2024-01-01T00:00:00Z`) or seconds since 1970')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Flows started per second of simulated time')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Simulated time the flow starts span (`90s`, `15m`, `2h`, `1d`): sets the rate to records / duration')
            [CompletionResult]::new('--sampling', '--sampling', [CompletionResultType]::ParameterName, 'Write a PSAMP sampling options record per domain: 1 packet in N selected')
            [CompletionResult]::new('--corrupt', '--corrupt', [CompletionResultType]::ParameterName, 'Write a deliberately damaged file: one place (chosen by the seed) damaged the KIND way, said on stderr. `--corrupt list` names and explains the kinds')
            [CompletionResult]::new('--netflow', '--netflow', [CompletionResultType]::ParameterName, 'Write NetFlow export packets instead of IPFIX messages: 9 (RFC 3954; fixed-length IANA fields only, flowStart/EndMilliseconds as uptimes) or 5 (the netflow5 profile)')
            [CompletionResult]::new('--template-refresh', '--template-refresh', [CompletionResultType]::ParameterName, 'NetFlow v9: send the templates again every N packets of a source')
            [CompletionResult]::new('--exporter', '--exporter', [CompletionResultType]::ParameterName, '--pcap: the exporter''s address and port')
            [CompletionResult]::new('--collector', '--collector', [CompletionResultType]::ParameterName, '--pcap: the collector''s address and port [default: 192.0.2.2:4739 for IPFIX, 192.0.2.2:2055 for NetFlow]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads making records (0 = all cores). The output never depends on it')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads making records (0 = all cores). The output never depends on it')
            [CompletionResult]::new('--flows-out', '--flows-out', [CompletionResultType]::ParameterName, 'With --packets: write the flows a meter must make of the packets (each direction, idle timeout 15 s) to FILE as IPFIX, the ground truth')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--message-size', '--message-size', [CompletionResultType]::ParameterName, 'IPFIX output: largest message in octets')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields')
            [CompletionResult]::new('--rename', '--rename', [CompletionResultType]::ParameterName, 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)')
            [CompletionResult]::new('--pcap', '--pcap', [CompletionResultType]::ParameterName, 'Write a pcap of the messages (or NetFlow packets) as UDP datagrams from --exporter to --collector, each at its export time')
            [CompletionResult]::new('--no-metadata', '--no-metadata', [CompletionResultType]::ParameterName, 'Leave out the RFC 5655 §8 file time window and export session details at the end')
            [CompletionResult]::new('--packets', '--packets', [CompletionResultType]::ParameterName, 'Write the packets of the flows instead of records: a pcap (Ethernet, some VLAN and QinQ, IPv4 with --profile flow4 or IPv6 with flow6, some fragments; TCP with its handshake and FIN or RST, UDP, ICMP). -n counts connections')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write binary IPFIX even when stdout is a terminal')
            [CompletionResult]::new('--allow-unknown-fields', '--allow-unknown-fields', [CompletionResultType]::ParameterName, 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the CSV header row')
            [CompletionResult]::new('--no-split-biflow', '--no-split-biflow', [CompletionResultType]::ParameterName, 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;pcap2ipfix' {
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'A flow with no packet for this long ends (idle timeout): seconds, or with s/m/h')
            [CompletionResult]::new('--active-timeout', '--active-timeout', [CompletionResultType]::ParameterName, 'A flow that has lasted this long ends (active timeout): seconds, or with s/m/h')
            [CompletionResult]::new('--max-flows', '--max-flows', [CompletionResultType]::ParameterName, 'Flows kept at most; a new flow beyond them pushes out the least recently seen one (flowEndReason 5)')
            [CompletionResult]::new('--time-precision', '--time-precision', [CompletionResultType]::ParameterName, 'Time IEs: flowStart/EndMilliseconds, Microseconds or Nanoseconds')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, '--extract: only datagrams from or to this UDP port')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (all inputs, in order). A regular file is written to a temporary file renamed on success; a device or FIFO is written into; a symlink''s target is written')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'One output per capture into DIR (`name.ipfix`, `name.json`, `name.csv`)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'One output per capture into DIR (`name.ipfix`, `name.json`, `name.csv`)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Captures metered at once (0 = all cores)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Captures metered at once (0 = all cores)')
            [CompletionResult]::new('--message-size', '--message-size', [CompletionResultType]::ParameterName, 'IPFIX output: largest message in octets')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`), `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`, `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow schema''s names (`src_addr`, `bytes`...) and nfdump''s (`srcip,dstport,proto,packets`). With --schema flow: the flow schema''s fields and --map names')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type''s own unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Which fields records have: `raw`, the record''s own IEs; `flow`, the fixed fields of the common flow schema (goflow2''s names: src_addr, dst_addr, bytes, time_flow_start_ns...), the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed (they are not flows: their sampling rates and boot times fill the flow fields) and -F picks schema fields')
            [CompletionResult]::new('--rename', '--rename', [CompletionResultType]::ParameterName, 'With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID> or pen/id; enterprise IEs too), written as raw output writes it (repeatable)')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24, the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable)')
            [CompletionResult]::new('--biflow', '--biflow', [CompletionResultType]::ParameterName, 'RFC 5103 biflows: the first packet''s sender is the initiator; the other direction''s counters under PEN 29305')
            [CompletionResult]::new('--mac', '--mac', [CompletionResultType]::ParameterName, 'Add sourceMacAddress and destinationMacAddress (the first packet''s)')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Instead of metering packets: pull the NetFlow v5/v9 and IPFIX export packets out of the captures (UDP, any port) and write their records as one IPFIX file, each exporter and domain a domain of its own (v5/v9 translated)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print on stderr: packets read, skipped by why, flows by end reason')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write binary IPFIX even when stdout is a terminal')
            [CompletionResult]::new('--allow-unknown-fields', '--allow-unknown-fields', [CompletionResultType]::ParameterName, 'With -F: accept IE names the registry does not know (names a file defines with RFC 5610 type records); without it such a name is an error with the closest known name')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the CSV header row')
            [CompletionResult]::new('--no-split-biflow', '--no-split-biflow', [CompletionResultType]::ParameterName, 'With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and reverse_packets instead of two records (initiator and responder)')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By default it is drawn only on a terminal, and not when the records go to it too')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;docs' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ipfixkit;help' {
            [CompletionResult]::new('cat', 'cat', [CompletionResultType]::ParameterValue, 'Prints the records of IPFIX files')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Converts between IPFIX, JSON lines and CSV, and to Parquet')
            [CompletionResult]::new('filter', 'filter', [CompletionResultType]::ParameterValue, 'Keeps the records for which an expression holds')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merges files from many exporters into one valid, time-ordered IPFIX file')
            [CompletionResult]::new('gen', 'gen', [CompletionResultType]::ParameterValue, 'Writes synthetic, realistic flow records: the same bytes for the same arguments')
            [CompletionResult]::new('pcap2ipfix', 'pcap2ipfix', [CompletionResultType]::ParameterValue, 'Meters packet captures (pcap, pcapng) into IPFIX flow records, by packet time')
            [CompletionResult]::new('docs', 'docs', [CompletionResultType]::ParameterValue, 'Writes the man pages and shell completions (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ipfixkit;help;cat' {
            break
        }
        'ipfixkit;help;convert' {
            break
        }
        'ipfixkit;help;filter' {
            break
        }
        'ipfixkit;help;merge' {
            break
        }
        'ipfixkit;help;gen' {
            break
        }
        'ipfixkit;help;pcap2ipfix' {
            break
        }
        'ipfixkit;help;docs' {
            break
        }
        'ipfixkit;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
