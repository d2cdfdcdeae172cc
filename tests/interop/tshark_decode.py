#!/usr/bin/env python3
"""Cross-checks our SMPP codec with tshark's SMPP dissector (python3 standard library only).

1. `smpp_golden_writer encode` prints our encoding of every PDU type; the frames are wrapped
   as TCP payload to port 2775 (text2pcap -T 40000,2775) and decoded by tshark. Each frame
   must show exactly the field lines listed below, and nothing malformed.
2. The reverse: hand-written frames (from the SMPP 3.4 specification) that tshark decodes
   as expected are fed to `smpp_golden_writer decode`; our fields must match.

usage: tshark_decode.py path/to/smpp_golden_writer
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Field lines tshark must print for our encoding of each sample (leading spaces ignored).
EXPECT_OURS = {
    "bind_transceiver": [
        "Operation: Bind_transceiver (0x00000009)", "Sequence #: 1", "System ID: ussdgw",
        "Password: secret", "System type: USSD", "Version (if): 3.4",
        "Type of number: International (0x01)",
        "Numbering plan indicator: ISDN (E163/E164) (0x01)", "Address: 7900"],
    "bind_transmitter": ["Operation: Bind_transmitter (0x00000002)", "Sequence #: 2"],
    "bind_receiver": ["Operation: Bind_receiver (0x00000001)", "Sequence #: 3"],
    "bind_transceiver_resp": [
        "Operation: Bind_transceiver - resp (0x80000009)", "Result: Ok (0x00000000)",
        "System ID: SMSC", "Optional parameter: sc_interface_version (0x0210)",
        "SMSC-supported version: 3.4"],
    "bind_transmitter_resp": ["Operation: Bind_transmitter - resp (0x80000002)",
                              "System ID: SMSC"],
    "bind_receiver_resp": ["Operation: Bind_receiver - resp (0x80000001)", "System ID: SMSC"],
    "outbind": ["Operation: Outbind (0x0000000b)", "System ID: smsc", "Password: pw"],
    "deliver_sm_ussd": [
        "Operation: Deliver_sm (0x00000005)", "Sequence #: 5", "Service type: USSD",
        "Type of number (originator): International (0x01)",
        "Numbering plan indicator (originator): ISDN (E163/E164) (0x01)",
        "Originator address: 79001234567", "Type of number (recipient): Unknown (0x00)",
        "Recipient address: 141", "Message length: 9", "Message bytes: 2a3134312a332a3623",
        "Optional parameter: ussd_service_op (0x0501)",
        "USSD service operation: PSSR indication (1)",
        "Optional parameter: its_session_info (0x1383)", "Session number: 42",
        ".... ...0 = Session indicator: End of session indicator inactive (0x0)"],
    "submit_sm_ussd": [
        "Operation: Submit_sm (0x00000004)", "Sequence #: 6", "Service type: USSD",
        "Originator address: 141", "Recipient address: 79001234567",
        "Data coding: UCS2 (ISO/IEC-10646) (0x08)", "Message length: 4",
        "Message bytes: 04140430", "USSD service operation: PSSR response (17)",
        "Session number: 42",
        ".... ...1 = Session indicator: End of session indicator active (0x1)",
        "Optional parameter: user_message_reference (0x0204)", "Message reference: 0x1234",
        "Message: \u0414\u0430"],
    "submit_sm_sar": [
        "Operation: Submit_sm (0x00000004)", "Type of number (originator): Alphanumeric (0x05)",
        "Originator address: Operator", "Message length: 0",
        "Optional parameter: message_payload (0x0424)",
        "Payload: 7061796c6f61642d746578742d3432", "SAR reference number: 777", "SAR size: 3",
        "SAR sequence number: 2"],
    "deliver_sm_receipt": [
        "Operation: Deliver_sm (0x00000005)", "Recipient address: Operator",
        "..00 01.. = Message type: Short message contains SMSC Delivery Receipt (0x1)",
        "Optional parameter: receipted_message_id (0x001e)", "SMSC identifier: ABC123",
        "Message state: DELIVERED (2)", "Error type: GSM (3)", "Error code: 0x0022"],
    "submit_sm_resp": ["Operation: Submit_sm - resp (0x80000004)", "Message id.: ABC123"],
    "submit_sm_resp_error": [
        "Operation: Submit_sm - resp (0x80000004)",
        "Result: Throttling error (ESME exceeded allowed message limits) (0x00000058)",
        "Sequence #: 9"],
    "deliver_sm_resp": ["Operation: Deliver_sm - resp (0x80000005)", "Sequence #: 5"],
    "data_sm": [
        "Operation: Data_sm (0x00000103)", "Service type: WAP",
        "Originator address: 79001234567", "Recipient address: 141",
        "Payload: 646174612d736d2d7061796c6f6164"],
    "data_sm_resp": ["Operation: Data_sm - resp (0x80000103)", "Message id.: DSM1"],
    "enquire_link": ["Operation: Enquire_link (0x00000015)", "Sequence #: 11"],
    "enquire_link_resp": ["Operation: Enquire_link - resp (0x80000015)", "Sequence #: 11"],
    "unbind": ["Operation: Unbind (0x00000006)", "Sequence #: 12"],
    "unbind_resp": ["Operation: Unbind - resp (0x80000006)", "Sequence #: 12"],
    "generic_nack": ["Operation: Generic_nack (0x80000000)",
                     "Result: Invalid command ID (0x00000003)", "Sequence #: 13"],
}

# Hand-written frames: (name, hex, lines tshark must print, key=value tokens we must print).
REVERSE = [
    ("network deliver_sm, USSR confirm (op 18) with its_session_info",
     "00000040" "00000005" "00000000" "0000002a"
     "5553534400"                                    # service_type "USSD"
     "0101" "33373532393132333435363700"             # 1/1 "375291234567"
     "0000" "31343100"                               # 0/0 "141"
     "000000" "00" "00" "00000000"                   # esm..priority, times, flags
     "01" "31"                                       # sm_length 1, "1"
     "0501" "0001" "12"                              # ussd_service_op 18
     "1383" "0002" "0502",                           # its_session_info 05 02
     ["Operation: Deliver_sm (0x00000005)", "Originator address: 375291234567",
      "USSD service operation: USSR confirm (18)", "Session number: 5",
      "0000 001. = Sequence number: 0x01"],
     ["command=deliver_sm", "seq=42", "service_type=USSD", "source=1/1/375291234567",
      "destination=0/0/141", "short_message_hex=31", "ussd_service_op=18",
      "its_session_info=0502"]),
    ("bind_transceiver from an SMPP 5.0 peer",
     "0000001e" "00000009" "00000000" "00000001"
     "736d73633100" "707700" "00" "50" "00" "00" "00",
     ["Operation: Bind_transceiver (0x00000009)", "System ID: smsc1", "Version (if): 5.0"],
     ["command=bind_transceiver", "system_id=smsc1", "password=pw", "interface_version=80"]),
    ("submit_sm_resp with a vendor status and no body",
     "00000010" "80000004" "00000401" "00000007",
     ["Operation: Submit_sm - resp (0x80000004)", "Sequence #: 7"],
     ["command=submit_sm_resp", "status=1025", "seq=7", "message_id="]),
    ("delivery receipt with receipted_message_id and message_state",
     "0000003f" "00000005" "00000000" "00000003"
     "00" "0101" "373930303132333435363700" "0000" "31343100"
     "04" "00" "00" "00" "00" "00" "00" "00" "00" "00"
     "001e" "0007" "41424331323300" "0427" "0001" "02",
     ["Operation: Deliver_sm (0x00000005)", "SMSC identifier: ABC123",
      "Message state: DELIVERED (2)"],
     ["command=deliver_sm", "esm_class=4", "receipted_message_id=ABC123", "message_state=2"]),
    ("data_sm with message_payload",
     "0000002f" "00000103" "00000000" "00000009"
     "00" "0101" "373930303132333435363700" "0000" "31343100" "00" "00" "00"
     "0424" "0003" "616263",
     ["Operation: Data_sm (0x00000103)", "Payload: 616263"],
     ["command=data_sm", "source=1/1/79001234567", "message_payload_hex=616263"]),
    ("enquire_link with the highest sequence number",
     "00000010" "00000015" "00000000" "7fffffff",
     ["Operation: Enquire_link (0x00000015)", "Sequence #: 2147483647"],
     ["command=enquire_link", "seq=2147483647"]),
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def tshark_frames(frames, tmp, tag):
    """Wraps each frame as one TCP segment 40000 -> 2775 and returns tshark's text per frame."""
    dump = os.path.join(tmp, tag + ".txt")
    pcap = os.path.join(tmp, tag + ".pcap")
    with open(dump, "w") as f:
        for b in frames:
            for i in range(0, len(b), 16):
                f.write("%06x %s\n" % (i, " ".join("%02x" % x for x in b[i:i + 16])))
    run(["text2pcap", "-q", "-T", "40000,2775", dump, pcap])
    out = run(["tshark", "-r", pcap, "-O", "smpp", "-d", "tcp.port==2775,smpp"])
    blocks = re.split(r"(?m)^Frame \d+:", out)[1:]
    if len(blocks) != len(frames):
        sys.exit(f"FAIL: tshark showed {len(blocks)} frames for {len(frames)} PDUs")
    return blocks


def lines_of(block):
    return {l.strip() for l in block.splitlines()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    writer = sys.argv[1]
    for tool in ("tshark", "text2pcap"):
        if shutil.which(tool) is None:
            sys.exit(f"FAIL: {tool} is not installed (scripts/setup.sh --test installs it)")
    with tempfile.TemporaryDirectory(prefix="ussdgw-tshark-") as tmp:
        # 1. tshark decodes what we encode.
        samples = [l.split() for l in run([writer, "encode"]).splitlines() if l.strip()]
        names = [n for n, _ in samples]
        check(sorted(names) == sorted(EXPECT_OURS), f"sample names differ: {names}")
        frames = [bytes.fromhex(h) for _, h in samples]
        for (name, _), block, frame in zip(samples, tshark_frames(frames, tmp, "ours"), frames):
            got = lines_of(block)
            check("Malformed" not in block, f"{name}: tshark says malformed:\n{block}")
            check(f"Length: {len(frame)}" in got, f"{name}: tshark length differs")
            for want in EXPECT_OURS.get(name, []):
                check(want in got, f"{name}: tshark did not show '{want}'")
        # 2. We decode what tshark decodes.
        frames = [bytes.fromhex(h) for _, h, _, _ in REVERSE]
        for (name, _, _, _), frame in zip(REVERSE, frames):
            check(int.from_bytes(frame[:4], "big") == len(frame),
                  f"{name}: hand-written command_length is wrong")
        blocks = tshark_frames(frames, tmp, "theirs")
        ours = run([writer, "decode"], stdin="".join(h + "\n" for _, h, _, _ in REVERSE))
        ours = ours.splitlines()
        check(len(ours) == len(REVERSE), "decode printed a line count other than expected")
        for (name, _, tshark_wants, our_wants), block, line in zip(REVERSE, blocks, ours):
            got = lines_of(block)
            check("Malformed" not in block, f"{name}: tshark says malformed:\n{block}")
            for want in tshark_wants:
                check(want in got, f"{name}: tshark did not show '{want}'")
            tokens = set(line.split())
            for want in our_wants:
                check(want in tokens, f"{name}: our decode lacks '{want}': {line}")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print(f"ok: tshark agrees on {len(samples)} encoded PDUs and {len(REVERSE)} hand-written ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
