"""The demo's story: a LockBit 3.0 intrusion at the (fictional) Northwind Logistics AG.

`seed_incident(store, scale)` adds three analysts, five customers, the ransomware case (hosts and
accounts as assets, IOCs with TLPs linked to assets, ~40 timeline events, tasks, notes with code,
comments, evidences, datastore files) and four other cases, open and closed. Everything goes
through the route modules' create_* functions, so records have exactly the shape the handlers
produce; the synthetic rows of the `scale` knob are written in bulk from a template record of
that same shape (100,000 IOCs and events seed in about a second).

All names, domains (under example.*), addresses (documentation ranges) and hashes are invented.
Dates are fixed (early March 2025) so that screenshots and tests are reproducible.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import random
from collections.abc import Iterator
from typing import Any

from iris_tui.demo.store import Store, iso, iso6, new_uuid

INCIDENT_SOC_ID = "INC-2025-0142"
TZ = "+01:00"  # Northwind's wall clock (CET)
ANALYST_PERMISSIONS = 0x1 | 0x4 | 0x8 | 0x20 | 0x40 | 0x400  # the default "Analysts" group
SCALE_KEYS = ("cases", "iocs", "events", "assets")

# login, display name, e-mail
ANALYSTS = (
    ("jmoreau", "Jane Moreau", "jane.moreau@ir-team.example"),
    ("shaddad", "Samir Haddad", "samir.haddad@ir-team.example"),
    ("lfischer", "Lena Fischer", "lena.fischer@ir-team.example"),
)

CUSTOMERS = (
    ("Northwind Logistics AG", "Freight forwarder, 1,200 employees, 14 sites", "P1: 1h response, 24/7"),
    ("Contoso Health", "Regional hospital group, 3 hospitals", "P1: 2h response, business hours"),
    ("Fabrikam Manufacturing", "Automotive parts supplier", "P2: next business day"),
    ("Wide World Importers", "Online wholesale, 300 employees", "P1: 4h response"),
    ("Tailspin Airlines", "Regional airline, 2 hubs", "P1: 1h response, 24/7"),
)

LB3_SAMPLE = b"MZ\x90\x00" + b"LockBit3-sample-placeholder (not malware) " * 5
RANSOM_NOTE = (
    b"~~~ LockBit 3.0 the world's fastest and most stable ransomware from 2019 ~~~\n"
    b">>>>> Your data is stolen and encrypted.\n"
    b"Your decryption ID: 7C1F0E2A9B4D5E6F\n"
    b"(demo data - this is not a real ransom note)\n"
)
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _uuids(count: int) -> Iterator[str]:
    """Random version-4 UUID strings, many times faster than str(uuid.uuid4()) for bulk rows."""
    raw = os.urandom(16 * count).hex()
    for i in range(0, 32 * count, 32):
        h = raw[i:i + 32]
        yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _hash(name: str, algo: str = "sha256") -> str:
    return hashlib.new(algo, f"northwind-demo:{name}".encode()).hexdigest()


def _onion(name: str) -> str:
    return base64.b32encode(hashlib.sha256(name.encode()).digest()).decode().lower().rstrip("=")[:56] + ".onion"


def _at(text: str) -> str:
    """'2025-03-03 07:55' (CET) as the naive UTC isoformat IRIS stores."""
    local = dt.datetime.fromisoformat(text)
    return iso(local - dt.timedelta(hours=1))


# -- the incident's data ------------------------------------------------------------------------

# key: (type, value, TLP, tags, description)
IOCS: dict[str, tuple[str, str, str, str, str]] = {
    "vpn_ip": ("ip-src", "203.0.113.45", "amber", "vpn,bruteforce",
               "Source of the SSL-VPN password spraying and of the successful jdoe login"),
    "c2_ip": ("ip-dst", "198.51.100.23", "amber", "cobalt-strike,c2", "Cobalt Strike team server (HTTPS)"),
    "exfil_ip": ("ip-dst", "192.0.2.77", "amber", "exfiltration,rclone", "rclone upload endpoint"),
    "c2_domain": ("domain", "update.msedge-cdn.example.net", "amber", "cobalt-strike,c2",
                  "Beacon C2 domain, resolves to 198.51.100.23"),
    "exfil_domain": ("domain", "mega-upload.example.org", "green", "exfiltration,rclone",
                     "Cloud storage look-alike used as rclone remote"),
    "leak_site": ("domain", _onion("lockbit-leak"), "clear", "lockbit,leak-site", "LockBit 3.0 leak site mirror"),
    "exfil_url": ("url", "https://mega-upload.example.org/api/v1/upload/nw-8f3a", "amber", "exfiltration",
                  "rclone target URL (from rclone.conf)"),
    "beacon_url": ("url", "https://update.msedge-cdn.example.net/edge/update/check.js", "amber",
                   "cobalt-strike,c2", "Beacon GET URI (malleable profile mimicking Edge updates)"),
    "lb3_sha256": ("sha256", hashlib.sha256(LB3_SAMPLE).hexdigest().upper(), "amber", "lockbit,encryptor",
                   "LB3.exe, LockBit 3.0 encryptor built for Northwind (sample in the datastore)"),
    "lb3_md5": ("md5", hashlib.md5(LB3_SAMPLE).hexdigest(), "amber", "lockbit,encryptor", "LB3.exe"),
    "beacon_sha256": ("sha256", _hash("svcupd.exe"), "red", "cobalt-strike,loader",
                      "svcupd.exe: Cobalt Strike stageless beacon, not on VirusTotal - do not share"),
    "beacon_path": ("file-path", "C:\\ProgramData\\svcupd.exe", "amber", "cobalt-strike", "Beacon on NW-WS-0147"),
    "lb3_path": ("file-path", "C:\\Windows\\Temp\\LB3.exe", "amber", "lockbit", "Encryptor drop path (GPO)"),
    "rclone_name": ("filename", "svchost32.exe", "green", "rclone,exfiltration", "rclone renamed"),
    "rclone_sha256": ("sha256", _hash("rclone-1.65.0"), "green", "rclone,dual-use",
                      "rclone v1.65.0 (legitimate tool, renamed svchost32.exe)"),
    "adfind": ("filename", "AdFind.exe", "green", "discovery,dual-use", "AD enumeration tool"),
    "netscan": ("filename", "netscan.exe", "green", "discovery,dual-use", "SoftPerfect Network Scanner"),
    "ransom_note": ("filename", "Restore-My-Files.txt", "clear", "lockbit,ransom-note", "Ransom note name"),
    "btc": ("btc", "bc1qdemo7x3v9w0l4k2f8m5n6p0q3r8s2t7u4v9w0x", "clear", "lockbit,payment",
            "Payment address from the ransom portal (fictional)"),
    "user_agent": ("user-agent", "rclone/v1.65.0", "green", "rclone", "User agent of the exfiltration"),
    "jdoe": ("account", "NORTHWIND\\jdoe", "red", "compromised-account", "VPN account used for initial access"),
    "svc_veeam": ("account", "NORTHWIND\\svc_veeam", "red", "compromised-account",
                  "Veeam service account, used to launch the encryptor"),
    "psexesvc": ("windows-service-name", "PSEXESVC", "amber", "lateral-movement", "PsExec service on NW-FS03"),
}

# key: (name, asset type, ip, domain, description, compromise status, analysis status, tags, IOC keys)
ASSETS: dict[str, tuple[str, str, str, str, str, int, int, str, tuple[str, ...]]] = {
    "fw01": ("NW-FW01", "VPN", "203.0.113.10", "vpn.northwind.example",
             "FortiGate 100F, SSL-VPN portal (FortiOS 7.2.5); no MFA on the VPN", 2, 6, "perimeter,vpn",
             ("vpn_ip",)),
    "ws0147": ("NW-WS-0147", "Windows - Computer", "10.20.14.47", "northwind.local",
               "Finance laptop of J. Doe - patient zero", 1, 6, "patient-zero,finance",
               ("beacon_sha256", "beacon_path", "beacon_url", "c2_ip", "c2_domain", "adfind", "netscan")),
    "dc01": ("NW-DC01", "Windows - DC", "10.10.1.10", "northwind.local",
             "Primary domain controller (Windows Server 2019); DCSync observed", 1, 3, "tier0", ("c2_ip",)),
    "dc02": ("NW-DC02", "Windows - DC", "10.10.1.11", "northwind.local", "Secondary domain controller",
             0, 2, "tier0", ()),
    "fs02": ("NW-FS02", "Windows - Server", "10.10.2.21", "northwind.local",
             "File server (Finance, HR shares) - encrypted 2025-03-03 03:45", 1, 6, "encrypted,file-server",
             ("lb3_sha256", "lb3_md5", "lb3_path", "ransom_note", "rclone_name", "rclone_sha256", "exfil_ip",
              "exfil_domain", "exfil_url", "user_agent")),
    "fs03": ("NW-FS03", "Windows - Server", "10.10.2.22", "northwind.local",
             "File server (Operations shares) - encrypted 2025-03-03 03:47", 1, 3, "encrypted,file-server",
             ("lb3_sha256", "ransom_note", "psexesvc")),
    "veeam": ("NW-VEEAM01", "Windows - Server", "10.10.3.5", "northwind.local",
              "Veeam B&R 12; backup jobs and repositories deleted by the attacker", 1, 6, "backup", ()),
    "sql01": ("NW-SQL01", "Windows - Server", "10.10.2.40", "northwind.local",
              "ERP database server; no sign of access so far", 2, 3, "erp", ()),
    "esx01": ("NW-ESX01", "Linux - Server", "10.10.4.2", "northwind.local",
              "VMware ESXi 7 host; checked for the ESXi locker variant: clean", 2, 6, "hypervisor", ()),
    "ws0212": ("NW-WS-0212", "Windows - Computer", "10.20.14.112", "northwind.local",
               "HR workstation; RDP attempt from NW-WS-0147 failed", 3, 4, "hr", ()),
    "jdoe": ("jdoe", "Windows Account - AD", "", "northwind.local",
             "J. Doe (Finance); VPN account without MFA, password sprayed", 1, 6, "account", ("jdoe",)),
    "svc_veeam": ("svc_veeam", "Windows Account - AD - Service", "", "northwind.local",
                  "Veeam service account - member of Domain Admins (!)", 1, 6, "account,tier0", ("svc_veeam",)),
    "adm_mnowak": ("adm_mnowak", "Windows Account - AD - Admin", "", "northwind.local",
                   "Domain admin account of M. Nowak (IT lead); dumped from LSASS on NW-WS-0147", 1, 6,
                   "account,tier0", ()),
    "krbtgt": ("krbtgt", "Windows Account - AD - krbtgt", "", "northwind.local",
               "Reset twice (2025-03-03 15:00 and 2025-03-04 15:00) after the DCSync", 0, 6, "account,tier0", ()),
    "fs02_admin": ("NW-FS02\\Administrator", "Windows Account - Local - Admin", "", "",
                   "Local administrator of NW-FS02; same password on all file servers?", 3, 2, "account", ()),
}

# local time (CET), title, category, asset keys, IOC keys, content, source, tags, in summary
EVENTS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...], str, str, str, bool], ...] = (
    ("2025-03-01 02:13:07", "Password spraying against the SSL-VPN portal", "Credential Access", ("fw01",),
     ("vpn_ip",), "1,412 failed logins for 87 accounts in 25 minutes.", "FortiGate event log", "vpn", False),
    ("2025-03-01 02:41:55", "Successful VPN login as jdoe (no MFA)", "Initial Access", ("fw01", "jdoe"),
     ("vpn_ip", "jdoe"), "Tunnel IP 10.212.134.20 assigned.", "FortiGate event log", "vpn", True),
    ("2025-03-01 03:05:12", "RDP logon to NW-WS-0147 from the VPN pool", "Lateral Movement",
     ("ws0147", "jdoe"), ("jdoe",), "Event 4624 type 10 from 10.212.134.20.", "Security.evtx", "rdp", False),
    ("2025-03-01 03:12:40", "AdFind.exe domain enumeration", "Discovery", ("ws0147",), ("adfind",),
     "adfind.exe -f objectcategory=computer > ad_computers.txt", "EDR telemetry", "discovery", False),
    ("2025-03-01 03:30:02", "Network scan with SoftPerfect netscan", "Discovery", ("ws0147",), ("netscan",),
     "Scan of 10.10.0.0/16 on ports 445, 3389, 9392.", "EDR telemetry", "discovery", False),
    ("2025-03-01 03:58:19", "Cobalt Strike beacon dropped", "Execution", ("ws0147",),
     ("beacon_sha256", "beacon_path"), "C:\\ProgramData\\svcupd.exe written by mstsc clipboard redirection.",
     "MFT", "cobalt-strike", True),
    ("2025-03-01 04:02:33", "First beacon callback", "Command and Control", ("ws0147",),
     ("c2_domain", "c2_ip", "beacon_url"), "HTTPS every 60 s, jitter 20 %.", "Proxy logs", "c2", False),
    ("2025-03-01 04:20:10", "Scheduled task persistence", "Persistence", ("ws0147",), ("beacon_path",),
     "Task \\MicrosoftEdgeUpdateTaskCore2 runs svcupd.exe at logon.", "Tasks folder", "persistence", False),
    ("2025-03-01 05:11:48", "LSASS dumped with comsvcs.dll MiniDump", "Credential Access",
     ("ws0147", "adm_mnowak"), (), "rundll32 comsvcs.dll, MiniDump 704 C:\\ProgramData\\l.dmp full",
     "EDR telemetry", "credential-dumping", True),
    ("2025-03-01 05:40:03", "adm_mnowak logs on to NW-DC01", "Privilege Escalation", ("dc01", "adm_mnowak"),
     (), "Event 4624 type 3 from NW-WS-0147.", "DC Security.evtx", "tier0", False),
    ("2025-03-01 06:02:27", "DCSync of krbtgt and all users", "Credential Access", ("dc01", "krbtgt"),
     ("c2_ip",), "Event 4662 with DS-Replication-Get-Changes-All from a workstation account.",
     "DC Security.evtx", "dcsync", True),
    ("2025-03-02 01:15:44", "svc_veeam logs on to NW-VEEAM01", "Lateral Movement", ("veeam", "svc_veeam"),
     ("svc_veeam",), "RDP from NW-WS-0147.", "Security.evtx", "backup", False),
    ("2025-03-02 01:22:09", "Veeam credentials extracted", "Credential Access", ("veeam",), (),
     "Veeam-Get-Creds.ps1 run from PowerShell ISE.", "PowerShell Operational log", "backup", False),
    ("2025-03-02 01:48:30", "Backup jobs and repositories deleted", "Impact", ("veeam",), (),
     "All 14 jobs and 2 repositories removed through the Veeam console.", "Veeam logs", "backup", True),
    ("2025-03-02 02:30:15", "rclone staged on NW-FS02 as svchost32.exe", "Collection", ("fs02",),
     ("rclone_name", "rclone_sha256"), "With rclone.conf in the same folder.", "MFT", "exfiltration", False),
    ("2025-03-02 02:35:00", "Exfiltration of Finance and HR shares starts", "Exfiltration", ("fs02",),
     ("exfil_domain", "exfil_ip", "exfil_url", "user_agent"), "~412 GB uploaded until 05:10.",
     "Firewall sessions", "exfiltration", True),
    ("2025-03-02 05:10:41", "Exfiltration ends", "Exfiltration", ("fs02",), ("exfil_ip",),
     "Last session to 192.0.2.77.", "Firewall sessions", "exfiltration", False),
    ("2025-03-02 06:00:12", "Defender disabled through a GPO", "Defense Evasion", ("dc01",), (),
     "GPO 'Default Domain Policy' modified: DisableAntiSpyware=1.", "DC Security.evtx", "gpo", False),
    ("2025-03-02 23:40:05", "GPO 'Update' created to deploy LB3.exe", "Execution", ("dc01",), ("lb3_path",),
     "Immediate scheduled task copying LB3.exe from NETLOGON.", "SYSVOL", "gpo,lockbit", True),
    ("2025-03-03 03:45:10", "LB3.exe started on NW-FS02 by svc_veeam", "Impact", ("fs02", "svc_veeam"),
     ("lb3_sha256", "lb3_md5", "lb3_path"), "Encryption of D:\\Shares begins.", "EDR telemetry",
     "lockbit", True),
    ("2025-03-03 03:45:40", "Shadow copies deleted", "Impact", ("fs02",), (),
     "vssadmin delete shadows /all /quiet", "EDR telemetry", "lockbit", False),
    ("2025-03-03 03:47:02", "LB3.exe started on NW-FS03 through PsExec", "Impact", ("fs03",),
     ("lb3_sha256", "psexesvc"), "PSEXESVC installed, then LB3.exe -pass <redacted>.", "System.evtx",
     "lockbit", True),
    ("2025-03-03 03:52:18", "Event logs cleared", "Defense Evasion", ("fs02", "fs03"), (),
     "wevtutil cl Security / System / Application.", "EDR telemetry", "anti-forensics", False),
    ("2025-03-03 04:05:00", "Ransom notes dropped on all shares", "Impact", ("fs02", "fs03"),
     ("ransom_note", "leak_site", "btc"), "Restore-My-Files.txt in every folder.", "File server",
     "lockbit,ransom-note", False),
    ("2025-03-03 06:30:00", "Helpdesk: users cannot open files", "Unspecified", ("fs02",), (),
     "Tickets #48211 to #48236.", "Helpdesk", "detection", False),
    ("2025-03-03 07:10:00", "File servers isolated by the IT lead", "Remediation", ("fs02", "fs03"), (),
     "Network ports disabled on the core switch.", "IT team", "containment", True),
    ("2025-03-03 07:55:00", "Incident response retainer activated", "Legitimate", (), (),
     "Case opened, war room at 09:00.", "IR team", "", False),
    ("2025-03-03 09:30:00", "VPN disabled and jdoe password reset", "Remediation", ("fw01", "jdoe"),
     ("jdoe", "vpn_ip"), "SSL-VPN portal off until MFA is enforced.", "IT team", "containment", True),
    ("2025-03-03 10:15:00", "EDR deployed to all servers", "Remediation", (), (), "", "IR team", "containment",
     False),
    ("2025-03-03 11:02:00", "Memory acquired on NW-FS02 and NW-DC01", "Remediation", ("fs02", "dc01"), (),
     "WinPmem, hashes recorded in the evidences.", "IR team", "forensics", False),
    ("2025-03-03 13:20:00", "Beacon found on NW-WS-0147", "Execution", ("ws0147",),
     ("beacon_sha256", "beacon_path"), "Host isolated by EDR.", "EDR", "cobalt-strike", True),
    ("2025-03-03 15:00:00", "krbtgt reset #1", "Remediation", ("krbtgt", "dc01"), (), "", "IT team",
     "eradication", False),
    ("2025-03-04 09:05:00", "rclone.conf recovered", "Exfiltration", ("fs02",), ("exfil_url",),
     "Remote 'mega' with the upload endpoint; see datastore.", "Forensics", "exfiltration", False),
    ("2025-03-04 10:30:00", "Northwind listed on the LockBit leak site", "Impact", (), ("leak_site",),
     "Countdown: 10 days; 'sample' files published.", "Threat intel", "leak-site", True),
    ("2025-03-04 12:00:00", "C2 and exfiltration endpoints blocked", "Remediation", ("fw01",),
     ("c2_ip", "c2_domain", "exfil_ip", "exfil_domain"), "", "IT team", "containment", False),
    ("2025-03-04 15:00:00", "krbtgt reset #2", "Remediation", ("krbtgt", "dc01"), (), "", "IT team",
     "eradication", False),
    ("2025-03-04 16:30:00", "Restore from offline tapes starts", "Remediation", ("fs03",), (),
     "Tapes from 2025-02-28 verified clean.", "IT team", "recovery", False),
    ("2025-03-05 09:00:00", "NW-FS03 restored", "Remediation", ("fs03",), (), "", "IT team", "recovery", False),
    ("2025-03-05 11:00:00", "NW-FS02 rebuilt from scratch", "Remediation", ("fs02",), (), "", "IT team",
     "recovery", False),
    ("2025-03-05 14:00:00", "MFA enforced on the VPN, VPN back online", "Remediation", ("fw01",), (), "",
     "IT team", "recovery", True),
    ("2025-03-05 17:00:00", "Notification sent to the data protection authority", "Legitimate", (), (),
     "Within the 72 h deadline.", "Legal", "gdpr", False),
)

# title, description, status, assignee logins, tags, opened, closed
TASKS = (
    ("Identify patient zero", "EDR + VPN logs", "Done", ("jmoreau",), "triage", "2025-03-03 09:00",
     "2025-03-03 14:00"),
    ("Contain VPN access", "Disable SSL-VPN, reset jdoe, enforce MFA", "Done", ("administrator",),
     "containment", "2025-03-03 09:00", "2025-03-05 14:00"),
    ("Acquire memory of NW-FS02 and NW-DC01", "WinPmem; record hashes as evidences", "Done", ("shaddad",),
     "forensics", "2025-03-03 09:15", "2025-03-03 11:30"),
    ("Analyse LB3.exe", "Config, exclusions, encryption scheme; check for a decryptor", "In progress",
     ("shaddad",), "malware", "2025-03-03 12:00", None),
    ("Scope the exfiltration", "rclone logs, firewall sessions, list of exfiltrated folders", "In progress",
     ("lfischer", "jmoreau"), "exfiltration", "2025-03-03 16:00", None),
    ("Hunt for Cobalt Strike beacons fleet-wide", "YARA + EDR query on svcupd.exe and the C2 domain",
     "In progress", ("shaddad",), "hunting", "2025-03-03 14:00", None),
    ("Reset krbtgt twice", "10 h apart", "Done", ("administrator",), "eradication", "2025-03-03 14:30",
     "2025-03-04 15:10"),
    ("Check backup integrity (tapes)", "Veeam / tape", "Done", ("jmoreau",), "recovery", "2025-03-03 10:00",
     "2025-03-04 16:00"),
    ("Rebuild NW-DC01", "Waiting for the hardware replacement", "On hold", ("administrator",), "recovery",
     "2025-03-04 09:00", None),
    ("Monitor the leak site", "Daily check, screenshot in the datastore", "In progress", ("lfischer",),
     "threat-intel", "2025-03-04 10:45", None),
    ("Negotiate with the threat actor", "Board decided not to pay", "Canceled", ("jmoreau",), "",
     "2025-03-03 12:00", "2025-03-04 08:00"),
    ("Notify customers whose data leaked", "With Legal, after the exfiltration scope is known", "To do",
     ("jmoreau", "lfischer"), "gdpr", "2025-03-05 17:30", None),
    ("Lessons learned workshop", "", "To do", (), "post-incident", "2025-03-05 18:00", None),
)

# filename, type id, size, description, acquired
EVIDENCES = (
    ("NW-FS02_memory.raw", 42, 68719476736, "WinPmem acquisition, verified by a second analyst",
     "2025-03-03 11:02"),
    ("NW-DC01_memory.raw", 42, 34359738368, "WinPmem acquisition", "2025-03-03 11:25"),
    ("NW-WS-0147_kape.zip", 41, 2147483648, "KAPE !SANS_Triage target", "2025-03-03 13:40"),
    ("NW-FS02_C.E01", 8, 137438953472, "System volume image (FTK Imager)", "2025-03-03 18:00"),
    ("NW-FW01_vpn_logs.zip", 49, 48213377, "FortiGate event and VPN logs 2025-02-15 to 2025-03-03",
     "2025-03-03 10:00"),
)

NOTE_TREE = (
    # directory, parent directory, [(title, author login, written at, content)]
    ("Investigation", None, []),
    ("Host analysis", "Investigation", [
        ("NW-WS-0147 - patient zero", "jmoreau", "2025-03-03 14:10", """# NW-WS-0147 - patient zero

* RDP from the VPN pool (10.212.134.20) as **jdoe** on 2025-03-01 03:05
* Beacon `C:\\ProgramData\\svcupd.exe`, persistence through a scheduled task
* LSASS dumped at 05:11 - `adm_mnowak` was logged on (!)

## Hunting query

```powershell
Get-ScheduledTask | Where-Object { $_.Actions.Execute -like '*ProgramData*' } |
    Select-Object TaskName, TaskPath, @{n='Exec'; e={$_.Actions.Execute}}
Get-FileHash C:\\ProgramData\\svcupd.exe -Algorithm SHA256
```
"""),
        ("NW-FS02 - encryption analysis", "shaddad", "2025-03-03 16:40", """# NW-FS02

* LB3.exe started 03:45:10 by `svc_veeam` (GPO immediate task)
* VSS deleted via `vssadmin delete shadows /all /quiet`
* Exfiltration with rclone (renamed `svchost32.exe`) the night before

```powershell
Get-WinEvent -FilterHashtable @{LogName='Security'; Id=4688; StartTime='2025-03-03 03:40'} |
    Where-Object { $_.Message -match 'LB3|vssadmin|wevtutil' } |
    Format-Table TimeCreated, Id, Message -Wrap
```
"""),
        ("NW-DC01 - DCSync", "jmoreau", "2025-03-03 17:05", """# NW-DC01

DCSync from **NW-WS-0147** at 06:02 on 2025-03-01 (event 4662,
`1131f6ad-9c07-11d1-f79f-00c04fc2dcd2`). All domain hashes must be considered known.

- [x] krbtgt reset #1 (03-03 15:00)
- [x] krbtgt reset #2 (03-04 15:00)
- [ ] reset all privileged accounts
- [ ] rebuild NW-DC01
"""),
    ]),
    ("Malware", "Investigation", [
        ("LB3.exe - static analysis", "shaddad", "2025-03-04 11:30", """# LB3.exe (LockBit 3.0 / "Black")

| property | value |
|---|---|
| size | 1.2 MB (packed) |
| config | RC4 + aPLib, decrypted below |
| exclusions | `*.exe`, `*.dll`, `Windows`, `Program Files` |

Decoded configuration:

```yaml
encryption: full-first-1MB
extension: .Xj3k9WbYz
note_name: Restore-My-Files.txt
kill_services: [veeam, sql, backup, vss]
kill_processes: [sqlservr, outlook, excel]
self_delete: true
print_note: true
```

Config decoder used:

```python
import struct

def rc4(key: bytes, data: bytes) -> bytes:
    s, j, out = list(range(256)), 0, bytearray()
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)

size = struct.unpack_from("<I", blob, 0)[0]
print(rc4(blob[4:20], blob[20:20 + size]))
```
"""),
        ("Cobalt Strike beacon config", "shaddad", "2025-03-03 19:00", """# svcupd.exe beacon

```yaml
BeaconType: HTTPS
Port: 443
SleepTime: 60000
Jitter: 20
C2Server: update.msedge-cdn.example.net,/edge/update/check.js
UserAgent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/121.0
Watermark: 987654321
SpawnTo_x64: '%windir%\\sysnative\\dllhost.exe'
```
"""),
    ]),
    ("Network", "Investigation", [
        ("Exfiltration via rclone", "lfischer", "2025-03-04 09:40", """# Exfiltration

`rclone.conf` found next to `svchost32.exe` on NW-FS02 (copy in the datastore):

```ini
[mega]
type = webdav
url = https://mega-upload.example.org/api/v1/upload/nw-8f3a
vendor = other
```

Volume from the firewall sessions:

```python
import csv

total = 0
with open("fw_sessions_192.0.2.77.csv") as fh:
    for row in csv.DictReader(fh):
        total += int(row["sent_bytes"])
print(f"{total / 1024**3:.1f} GiB")  # 412.3 GiB
```
"""),
    ]),
    ("Threat intel", None, [
        ("LockBit 3.0 - TTPs seen here", "lfischer", "2025-03-04 12:15", """# LockBit 3.0 affiliate TTPs

| tactic | technique | seen |
|---|---|---|
| Initial Access | T1133 External Remote Services (VPN) | yes |
| Credential Access | T1003.001 LSASS Memory | yes |
| Credential Access | T1003.006 DCSync | yes |
| Exfiltration | T1567.002 Exfiltration to Cloud Storage | yes |
| Impact | T1486 Data Encrypted for Impact | yes |
| Impact | T1490 Inhibit System Recovery | yes |
"""),
    ]),
    ("Containment & recovery", None, [
        ("Containment checklist", "jmoreau", "2025-03-03 09:05", """- [x] isolate NW-FS02, NW-FS03
- [x] disable the SSL-VPN
- [x] reset jdoe, svc_veeam, adm_mnowak
- [x] block C2 and exfiltration endpoints
- [ ] rotate all service account passwords
"""),
    ]),
    ("Runbooks", "Containment & recovery", [
        ("krbtgt double reset", "administrator", "2025-03-03 14:35", """# krbtgt double reset

Wait at least the maximum ticket lifetime (10 h) between the two resets.

```powershell
Import-Module ActiveDirectory
$krbtgt = Get-ADUser krbtgt -Properties PasswordLastSet
"Last set: $($krbtgt.PasswordLastSet)"
Set-ADAccountPassword krbtgt -Reset -NewPassword (ConvertTo-SecureString (New-Guid).Guid -AsPlainText -Force)
repadmin /syncall /AdeP
```
"""),
    ]),
    ("Reporting", None, [
        ("Executive summary", "jmoreau", "2025-03-05 18:00", """## Executive summary

A LockBit 3.0 affiliate encrypted **NW-FS02** and **NW-FS03** on 2025-03-03 after ~2 days inside
the network. Initial access: SSL-VPN account `jdoe` without MFA. About **412 GB** of Finance and HR
data were exfiltrated. No ransom was paid; services were restored from offline tapes by 2025-03-05.
"""),
    ]),
)

# object kind, key, author, written at, text
COMMENTS = (
    ("asset", "fs02", "shaddad", "2025-03-03 16:45", "Encryption started 03:45:10, see the note for details."),
    ("asset", "fs02", "jmoreau", "2025-03-03 17:00", "Rebuild instead of clean-up: agreed with the CISO."),
    ("ioc", "beacon_sha256", "lfischer", "2025-03-03 19:30", "Not on VirusTotal; keep TLP:RED."),
    ("ioc", "c2_domain", "lfischer", "2025-03-04 09:00", "Registered 2025-02-20 through a privacy proxy."),
    ("task", "Analyse LB3.exe", "shaddad", "2025-03-04 11:35", "Config decoded, no known decryptor."),
    ("event", "DCSync of krbtgt and all users", "jmoreau", "2025-03-03 17:10", "Full domain compromise."),
    ("note", "Executive summary", "administrator", "2025-03-05 18:30", "Approved for the board meeting."),
)

# folder ("" = root), file name, content, description, tags, flags
DATASTORE = (
    ("Ransom notes", "Restore-My-Files.txt", RANSOM_NOTE, "Ransom note from \\\\NW-FS02\\Finance",
     "ransom-note,lockbit", {}),
    ("IOCs", "LB3.exe", LB3_SAMPLE, "Encryptor sample (placeholder bytes)", "lockbit", {"is_ioc": True}),
    ("Evidences", "NW-DC01_Security.evtx", b"ElfFile\x00" + bytes(120), "Security log export",
     "dc01", {"is_evidence": True}),
    ("Logs", "rclone.conf", b"[mega]\ntype = webdav\nurl = https://mega-upload.example.org/api/v1/upload/nw-8f3a\n"
     b"vendor = other\n", "Found next to svchost32.exe on NW-FS02", "rclone,exfiltration", {}),
    ("Logs", "fortigate_vpn_2025-03-01.log",
     b"date=2025-03-01 time=02:41:55 logid=0101039947 type=event subtype=vpn action=tunnel-up "
     b"remip=203.0.113.45 user=\"jdoe\" tunnelip=10.212.134.20\n", "VPN login of jdoe", "vpn", {}),
    ("Images", "leak-site-2025-03-04.png", PNG_1PX, "Leak site screenshot (placeholder)", "leak-site", {}),
    ("", "Northwind_interim_report.md", b"# Interim report\n\nSee the executive summary note.\n",
     "Interim report for the board", "report", {"password": "Northwind-2025"}),
)

# the other cases: customer index, name, description, soc id, classification, severity, state,
# closed on (or None), opened on, assets [(name, type, compromise)], IOCs [(type, value, TLP)],
# tasks [(title, status)], a note
OTHER_CASES = (
    (2, "Emotet infection on an engineering workstation", "Macro document from a supplier look-alike.",
     "INC-2024-0871", 7, 1, 9, "2024-09-18", "2024-09-12",
     [("FB-ENG-22", "Windows - Computer", 1), ("pweber", "Windows Account - AD", 1)],
     [("sha256", _hash("emotet-doc"), "amber"), ("domain", "invoice-portal.example.com", "green")],
     [("Reimage FB-ENG-22", "Done"), ("Block sender domain", "Done")],
     "Closed: host reimaged, no lateral movement found."),
    (1, "Phishing campaign - Microsoft 365 credential harvesting", "23 users received the lure, 2 entered "
     "credentials.", "INC-2024-1207", 30, 1, 9, "2024-12-20", "2024-12-16",
     [("a.schmidt@contoso.example", "Account", 1), ("r.lopez@contoso.example", "Account", 1)],
     [("url", "https://login-m365.example.net/contoso/", "amber"), ("email-src", "it-support@mail.example.net",
                                                                     "green")],
     [("Reset credentials and revoke sessions", "Done"), ("Purge messages", "Done")],
     "Closed: both accounts reset, inbox rules removed."),
    (3, "Web shell on the public IIS server", "ASPX web shell found by the hosting provider.",
     "INC-2025-0098", 21, 5, 4, None, "2025-02-24",
     [("WWI-WEB01", "Windows - Server", 1)],
     [("filename", "help.aspx", "amber"), ("ip-src", "198.51.100.200", "amber")],
     [("Take an image of WWI-WEB01", "Done"), ("Review IIS logs since January", "In progress")],
     "Web shell `help.aspx` in the upload folder since 2025-01-30."),
    (4, "Suspicious admin sign-ins on Entra ID", "Impossible travel alerts for two global admins.",
     "INC-2025-0151", 17, 1, 3, None, "2025-03-04",
     [("admin.ops@tailspin.example", "Account", 0)],
     [("ip-src", "192.0.2.150", "amber")],
     [("Review sign-in logs", "To do")],
     "Waiting for the sign-in logs export."),
)


# -- helpers ------------------------------------------------------------------------------------


def _ids(store: Store, kind: str, key: str, id_key: str) -> dict[str, int]:
    return {row[key]: row[id_key] for row in store.lookups[kind]}


def _add_analysts(store: Store) -> dict[str, int]:
    users = {"administrator": 1}
    for login, name, email in ANALYSTS:
        user_id = store.next_id("user")
        store.users[user_id] = {
            "user_id": user_id, "user_uuid": new_uuid(), "user_name": name, "user_login": login,
            "user_email": email, "user_active": True, "is_admin": False, "user_is_service_account": False,
            "api_key": f"demo-{login}-key-not-a-secret", "has_deletion_confirmation": False,
            "has_mini_sidebar": False, "permissions": ANALYST_PERMISSIONS,
        }
        users[login] = user_id
    return users


def _add_customers(store: Store, users: dict[str, int]) -> list[int]:
    from iris_tui.demo.routes.lookups import create_customer

    ids = []
    for name, description, sla in CUSTOMERS:
        customer = create_customer(store, 1, {"customer_name": name, "customer_description": description,
                                              "customer_sla": sla, "custom_attributes": {}})
        customer["members"] = sorted(users.values())
        ids.append(customer["customer_id"])
    return ids


def _new_case(store: Store, customer_id: int, name: str, description: str, soc_id: str,
              classification: int, severity: int, opened: str, users: dict[str, int]) -> dict[str, Any]:
    from iris_tui.demo.routes.cases import create_case

    case = create_case(store, 1, case_name=name, case_description=description, case_soc_id=soc_id,
                       case_customer=customer_id, classification_id=classification, severity_id=severity,
                       custom_attributes={})
    case["open_date"] = opened
    case["initial_date"] = _at(f"{opened} 08:00")
    for user_id in users.values():
        store.access[(user_id, case["case_id"])] = 4
    return case


def _finish_case(store: Store, case: dict[str, Any], fields: dict[str, Any], closed: str | None) -> None:
    from iris_tui.demo.routes.cases import close_case, update_case

    if closed:
        fields = {k: v for k, v in fields.items() if k != "state_id"}  # closing sets it
    update_case(store, case["case_id"], 1, fields)
    if closed:
        close_case(store, case["case_id"], 1)
        case["close_date"] = closed


def _add_iocs(store: Store, case_id: int, rows: list[tuple[str, str, str, str, str]]) -> list[int]:
    from iris_tui.demo.routes.iocs import ADDED, add_ioc_to_case

    types, tlps = _ids(store, "ioc_type", "type_name", "type_id"), _ids(store, "tlp", "tlp_name", "tlp_id")
    ids = []
    for kind, value, tlp, tags, description in rows:
        store.register_tags(tags)
        ioc, message = add_ioc_to_case(store, case_id, 1, {
            "ioc_value": value, "ioc_type_id": types[kind], "ioc_tlp_id": tlps[tlp], "ioc_tags": tags,
            "ioc_description": description, "custom_attributes": {},
        })
        if message == ADDED:
            store.bump(case_id, "ioc")  # as the add handler does
        ids.append(ioc["ioc_id"])
    return ids


def _add_asset(store: Store, case_id: int, user_id: int, name: str, kind: str, compromise: int,
               analysis: int, **extra: Any) -> dict[str, Any]:
    from iris_tui.demo.routes.assets import create_asset

    type_id = _ids(store, "asset_type", "asset_name", "asset_id")[kind]
    store.register_tags(extra.get("asset_tags"))
    return create_asset(store, case_id, user_id, {
        "asset_name": name, "asset_type_id": type_id, "asset_compromise_status_id": compromise,
        "analysis_status_id": analysis, "custom_attributes": {}, **extra})


def _add_task(store: Store, case_id: int, title: str, status: str, *, assignees: list[int] = (),
              description: str = "", tags: str = "", opened: str | None = None,
              closed: str | None = None) -> dict[str, Any]:
    from iris_tui.demo.routes.tasks import create_task

    statuses = _ids(store, "task_status", "status_name", "id")
    store.register_tags(tags)
    task = create_task(store, case_id, 1, {
        "task_title": title, "task_description": description, "task_tags": tags,
        "task_status_id": statuses[status], "task_assignees_id": list(assignees), "custom_attributes": {},
    })
    if opened:
        task["task_open_date"] = task["task_last_update"] = _at(opened)
    if closed:
        task["task_close_date"] = task["task_last_update"] = _at(closed)
    return task


def _add_note(store: Store, case_id: int, directory_id: int, user_id: int, title: str, content: str,
              written: str) -> dict[str, Any]:
    from iris_tui.demo.routes.notes import create_note

    note = create_note(store, case_id, user_id, {"note_title": title, "note_content": content,
                                                  "directory_id": directory_id, "custom_attributes": {}})
    note["note_creationdate"] = note["note_lastupdate"] = _at(written)
    for revision in store.revisions[note["note_id"]]:
        revision["revision_timestamp"] = _at(written)
    return note


# -- the incident -------------------------------------------------------------------------------


def _incident(store: Store, customer_id: int, users: dict[str, int]) -> int:
    from iris_tui.demo.routes.comments import add_comment
    from iris_tui.demo.routes.evidences import create_evidence
    from iris_tui.demo.routes.notes import create_directory, revise_note
    from iris_tui.demo.routes.timeline import create_event

    case = _new_case(
        store, customer_id,
        "LockBit 3.0 ransomware - Northwind file servers encrypted (NW-FS02, NW-FS03)",
        "## Executive summary\n\nLockBit 3.0 affiliate encrypted NW-FS02 and NW-FS03 on 2025-03-03.\n\n"
        "* Initial access: FortiGate SSL-VPN, account `jdoe` (no MFA)\n"
        "* Exfiltration: ~412 GB with rclone before the encryption\n"
        "* Dwell time: ~2 days\n",
        INCIDENT_SOC_ID, 6, 6, "2025-03-03", users)
    case_id = case["case_id"]
    case["initial_date"] = _at("2025-03-03 07:55")

    ioc_ids = dict(zip(IOCS, _add_iocs(store, case_id, list(IOCS.values()))))
    asset_ids = {}
    for key, (name, kind, ip, domain, description, compromise, analysis, tags, iocs) in ASSETS.items():
        asset = _add_asset(store, case_id, users["jmoreau"], name, kind, compromise, analysis,
                           asset_ip=ip, asset_domain=domain, asset_description=description, asset_tags=tags,
                           ioc_links=[ioc_ids[k] for k in iocs])
        asset["date_added"] = asset["date_update"] = _at("2025-03-03 10:00")
        asset_ids[key] = asset["asset_id"]

    categories = _ids(store, "event_category", "name", "id")
    event_ids = {}
    for when, title, category, assets, iocs, content, source, tags, summary in EVENTS:
        store.register_tags(tags)
        event = create_event(store, case_id, users["jmoreau"], {
            "event_title": title, "event_date": when.replace(" ", "T") + ".000000", "event_tz": TZ,
            "event_category_id": categories[category], "event_assets": [asset_ids[a] for a in assets],
            "event_iocs": [ioc_ids[i] for i in iocs], "event_content": content, "event_raw": "",
            "event_source": source, "event_tags": tags, "event_in_graph": True, "event_in_summary": summary,
            "event_color": "", "custom_attributes": {},
        })
        event_ids[title] = event["event_id"]

    task_ids = {}
    for title, description, status, assignees, tags, opened, closed in TASKS:
        task = _add_task(store, case_id, title, status, assignees=[users[a] for a in assignees],
                         description=description, tags=tags, opened=opened, closed=closed)
        task_ids[title] = task["id"]

    for filename, type_id, size, description, acquired in EVIDENCES:
        evidence = create_evidence(store, case_id, users["shaddad"], {
            "filename": filename, "file_size": size, "file_hash": _hash(filename),
            "file_description": description, "type_id": type_id, "acquisition_date": _at(acquired),
            "chain_of_custody": [{"date": _at(acquired), "from": "IR team", "to": "Evidence locker"}],
        })
        evidence["date_added"] = _at(acquired)
        store.bump(case_id, "evidences")  # as the add handler does

    directories: dict[str, int] = {}
    note_ids = {}
    for name, parent, notes in NOTE_TREE:
        directory = create_directory(store, case_id, name, directories.get(parent) if parent else None)
        directories[name] = directory["id"]
        for title, author, written, content in notes:
            note = _add_note(store, case_id, directory["id"], users[author], title, content, written)
            note_ids[title] = note["note_id"]
    # one note edited twice, so that its revisions have something to show
    summary = store.notes[note_ids["Executive summary"]]
    revise_note(store, summary, users["jmoreau"],
                note_content=summary["note_content"] + "\nNext steps: MFA everywhere, tier-0 rebuild.\n")
    revise_note(store, summary, users["administrator"], note_title="Executive summary (board)")

    objects = {"asset": asset_ids, "ioc": ioc_ids, "task": task_ids, "event": event_ids, "note": note_ids}
    for kind, key, author, written, text in COMMENTS:
        comment = add_comment(store, case_id, users[author], kind, objects[kind][key], text)
        comment["comment_date"] = comment["comment_update_date"] = _at(written)

    _incident_datastore(store, case_id, users)
    _finish_case(store, case, {
        "case_tags": "ransomware,lockbit,vpn,exfiltration", "state_id": 4, "status_id": 2,
        "owner_id": users["jmoreau"],
        "protagonists": [
            {"role": "IT lead", "name": "Marek Nowak", "contact": "+46 8 555 0199", "user_id": None},
            {"role": "CISO", "name": "Eva Lindqvist", "contact": "e.lindqvist@northwind.example", "user_id": None},
            {"role": "IR lead", "name": "Jane Moreau", "contact": "", "user_id": users["jmoreau"]},
        ],
    }, None)
    return case_id


def _incident_datastore(store: Store, case_id: int, users: dict[str, int]) -> None:
    from iris_tui.demo.routes.datastore import create_folder, ensure_root, find_folder, store_file

    root = ensure_root(store, case_id)
    for name, parent in (("Ransom notes", "Evidences"), ("Logs", "Evidences")):
        create_folder(store, case_id, find_folder(store, case_id, parent)["path_id"], name)
    for folder, name, data, description, tags, flags in DATASTORE:
        folder_id = find_folder(store, case_id, folder)["path_id"] if folder else root["path_id"]
        record = store_file(store, case_id, folder_id, users["shaddad"], name, data, description=description,
                            tags=tags, **flags)
        record["file_date_added"] = _at("2025-03-04 09:10")


# -- the other cases ----------------------------------------------------------------------------


def _other_case(store: Store, customers: list[int], users: dict[str, int], spec: tuple[Any, ...]) -> int:
    from iris_tui.demo.routes.notes import create_directory

    (customer, name, description, soc_id, classification, severity, state, closed, opened,
     assets, iocs, tasks, note) = spec
    case = _new_case(store, customers[customer], name, description, soc_id, classification, severity,
                     opened, users)
    case_id = case["case_id"]
    ioc_ids = _add_iocs(store, case_id, [(kind, value, tlp, "", "") for kind, value, tlp in iocs])
    for index, (asset_name, kind, compromise) in enumerate(assets):
        _add_asset(store, case_id, 1, asset_name, kind, compromise, 6 if closed else 3,
                   asset_description="", ioc_links=ioc_ids[:1] if index == 0 else [])
    for title, status in tasks:
        _add_task(store, case_id, title, status, assignees=[users["jmoreau"]], opened=f"{opened} 09:00",
                  closed=f"{closed} 17:00" if closed else None)
    directory = create_directory(store, case_id, "Investigation")
    _add_note(store, case_id, directory["id"], users["jmoreau"], "Status", note, f"{opened} 12:00")
    fields: dict[str, Any] = {"state_id": state, "owner_id": users["jmoreau"]}
    if closed:
        fields["status_id"] = 2 if "Web shell" not in name else 0
    _finish_case(store, case, fields, closed)
    return case_id


# -- scale (benchmarks) -------------------------------------------------------------------------


def _scale(store: Store, case_id: int, users: dict[str, int], customers: list[int], scale: dict[str, int],
           rng: random.Random) -> None:
    """Bulk synthetic rows: each table's first row goes through its create_* function, the
    others are copies of it, so shapes stay identical while 100,000 rows take about a second."""
    unknown = set(scale) - set(SCALE_KEYS)
    if unknown:
        raise ValueError(f"unknown scale keys {sorted(unknown)}; use {', '.join(SCALE_KEYS)}")
    _scale_iocs(store, case_id, int(scale.get("iocs") or 0), rng)
    _scale_assets(store, case_id, int(scale.get("assets") or 0), rng)
    _scale_events(store, case_id, int(scale.get("events") or 0), rng)
    _scale_cases(store, customers, users, int(scale.get("cases") or 0), rng)


def _scale_iocs(store: Store, case_id: int, count: int, rng: random.Random) -> None:
    from iris_tui.demo.routes.iocs import create_ioc

    if not count:
        return
    types = _ids(store, "ioc_type", "type_name", "type_id")
    kinds = ("ip-dst", "domain", "sha256", "url", "filename")
    tlps = rng.choices(range(1, 5), k=count)
    uuids = _uuids(count)
    links = store.ioc_links[case_id]
    template: dict[str, Any] | None = None
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == "ip-dst":
            value = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        elif kind == "domain":
            value = f"host-{i}.synthetic-{i % 97}.example.net"
        elif kind == "sha256":
            value = hashlib.sha256(i.to_bytes(8, "big")).hexdigest()
        elif kind == "url":
            value = f"https://cdn-{i % 211}.example.org/p/{i}"
        else:
            value = f"payload_{i}.dll"
        fields = {"ioc_value": value, "ioc_type_id": types[kind], "ioc_tlp_id": tlps[i],
                  "ioc_description": f"Synthetic IOC {i}"}
        if template is None:
            template = create_ioc(store, 1, {**fields, "ioc_tags": "synthetic", "custom_attributes": {}})
            record = template
        else:
            record = dict(template, ioc_id=store.next_id("ioc"), ioc_uuid=next(uuids), **fields)
            store.iocs[record["ioc_id"]] = record
        links.append(record["ioc_id"])
    store.bump(case_id, "ioc", count)


def _scale_assets(store: Store, case_id: int, count: int, rng: random.Random) -> None:
    if not count:
        return
    types = _ids(store, "asset_type", "asset_name", "asset_id")
    kinds = (("Windows - Computer", "WS"), ("Windows - Server", "SRV"), ("Linux - Server", "LNX"),
             ("Windows Account - AD", "usr"))
    compromise, analysis = rng.choices(range(4), k=count), rng.choices(range(1, 7), k=count)
    case_iocs = store.ioc_links.get(case_id, [])
    uuids = _uuids(count)
    template: dict[str, Any] | None = None
    for i in range(count):
        kind, prefix = kinds[i % len(kinds)]
        fields = {"asset_name": f"{prefix}-{i:06d}", "asset_type_id": types[kind],
                  "asset_description": f"Synthetic asset {i}",
                  "asset_ip": f"172.{16 + (i >> 16) % 16}.{(i >> 8) & 255}.{i & 255}",
                  "asset_compromise_status_id": compromise[i], "analysis_status_id": analysis[i]}
        if template is None:
            template = _add_asset(store, case_id, 1, fields["asset_name"], kind, 0, 1)
            template.update(fields)
            record = template
        else:
            record = dict(template, asset_id=store.next_id("asset"), asset_uuid=next(uuids), **fields)
            store.assets[record["asset_id"]] = record
        if case_iocs and i % 10 == 0:
            store.asset_ioc_links.add((record["asset_id"], case_iocs[int(rng.random() * len(case_iocs))]))
    store.bump(case_id, "assets", count - 1)  # the template's creation moved it once


def _scale_events(store: Store, case_id: int, count: int, rng: random.Random) -> None:
    from iris_tui.demo.routes.timeline import create_event

    if not count:
        return
    assets = [a["asset_id"] for a in store.assets.values() if a["case_id"] == case_id]
    iocs = list(store.ioc_links.get(case_id, ()))
    start = dt.datetime(2025, 3, 1)
    span = dt.timedelta(days=5).total_seconds()
    template = create_event(store, case_id, 1, {
        "event_title": "Synthetic event 0", "event_date": iso6(start), "event_tz": "+00:00",
        "event_category_id": 1, "event_assets": assets[:1], "event_iocs": iocs[:1], "event_content": "",
        "event_raw": "", "event_source": "synthetic", "event_tags": "synthetic", "event_in_graph": True,
        "event_in_summary": False, "event_color": "", "custom_attributes": {},
    })
    history = template["modification_history"]
    categories = rng.choices(range(1, 16), k=count)
    uuids = _uuids(count)
    for i in range(1, count):
        when = (start + dt.timedelta(seconds=rng.random() * span)).isoformat(timespec="microseconds")
        record = dict(template, event_id=store.next_id("event"), event_uuid=next(uuids),
                      event_title=f"Synthetic event {i}", event_date=when, event_date_wtz=when,
                      event_category_id=categories[i],
                      event_assets=[assets[int(rng.random() * len(assets))]] if assets else [],
                      event_iocs=[iocs[int(rng.random() * len(iocs))]] if iocs and i % 3 == 0 else [],
                      modification_history=dict(history))
        store.events[record["event_id"]] = record
    store.bump(case_id, "timeline", count - 1)


def _scale_cases(store: Store, customers: list[int], users: dict[str, int], count: int,
                 rng: random.Random) -> None:
    from iris_tui.demo.routes.cases import create_case

    if not count:
        return
    subjects = ("Phishing report", "Malware alert", "Suspicious sign-in", "Data leak suspicion",
                "Vulnerability exploitation", "Lost laptop", "DDoS alert", "Policy violation")
    template = create_case(store, 1, case_name=f"{subjects[0]} 0", case_description="Synthetic case",
                           case_soc_id="SYN-0", case_customer=customers[0], custom_attributes={})
    families = [(family, state) for (case_id, family), state in store.states.items()
                if case_id == template["case_id"]]
    history = template["modification_history"]
    base = dt.date(2024, 1, 1)
    days = [base + dt.timedelta(days=d) for d in range(451)]
    opened = rng.choices(range(420), k=count)
    duration = rng.choices(range(31), k=count)
    severities = rng.choices(range(1, 7), k=count)
    outcomes = rng.choices(range(6), k=count)
    closed = [rng.random() < 0.7 for _ in range(count)]
    uuids = _uuids(count)
    for i in range(count):
        if i == 0:
            case = template
        else:
            case_id = store.next_id("case")
            case = dict(template, case_id=case_id, case_uuid=next(uuids),
                        name=f"#{case_id} - {subjects[i % len(subjects)]} {i}", soc_id=f"SYN-{i}",
                        client_id=customers[i % len(customers)],
                        modification_history=dict(history) if history else history)
            store.cases[case_id] = case
            for family, state in families:
                store.states[(case_id, family)] = dict(state)
            store.access[(1, case_id)] = 4
        case["open_date"] = days[opened[i]].isoformat()
        case["severity_id"] = severities[i]
        if closed[i]:
            case["state_id"], case["status_id"] = 9, outcomes[i]
            case["close_date"] = days[opened[i] + duration[i]].isoformat()


# -- entry point --------------------------------------------------------------------------------


def seed_incident(store: Store, scale: dict[str, int]) -> int:
    """Seed the demo data into a freshly installed store; returns the incident's case id."""
    rng = random.Random(2025)  # reproducible synthetic data
    users = _add_analysts(store)
    customers = _add_customers(store, users)
    for spec in OTHER_CASES[:2]:  # the older, closed cases first: ids follow the calendar
        _other_case(store, customers, users, spec)
    _other_case(store, customers, users, OTHER_CASES[2])
    incident = _incident(store, customers[0], users)
    _other_case(store, customers, users, OTHER_CASES[3])
    _scale(store, incident, users, customers, dict(scale), rng)
    return incident
