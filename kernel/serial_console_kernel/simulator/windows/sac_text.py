"""SAC's texts, as Microsoft and ReactOS's clean-room message table print them
(see the project's reference notes); layout details the sources do not give are kept plain."""

from __future__ import annotations

from .state import COMPUTER_GUID, COMPUTER_NAME, IP, OS_BUILD, OS_VERSION, PRODUCT

BANNER = ["", "Computer is booting, SAC started and initialized.", "",
          'Use the "ch -?" command for information about using channels.',
          'Use the "?" command for general help.', "", ""]
CMD_AVAILABLE = "EVENT: The CMD command is now available."
CHANNEL_HELP = [
    "Channel management commands:", "",
    "ch                   List all channels.", "",
    "Status Legend: (AB)",
    "A: Channel operational status",
    "    'A' = Channel is active.",
    "    'I' = Channel is inactive.",
    "B: Channel Type",
    "    'V' = VT-UTF8 emulation.",
    "    'R' = Raw - no emulation.", "",
    "ch -si <#>           Switch to a channel by its number.",
    "ch -sn <name>        Switch to a channel by its name.",
    "ch -ci <#>           Close a channel by its number.",
    "ch -cn <name>        Close a channel by its name.", "",
    "Press <esc><tab> to select a channel.",
    "Press <esc><tab>0 to return to the SAC channel.",
]
UNRECOGNIZED = "Unrecognized command.  Try the 'help' command for more details."
BAD_PARAMETER = "A parameter was incorrect or missing.  Try the 'help' command for more details."
CMD_LAUNCHED = "The Command Prompt session was successfully launched."
MAX_CHANNELS = "The maximum number of channels has been reached."
CMD_UNAVAILABLE = [
    "Error: Unable to launch a Command Prompt.  The service responsible for launching",
    "       Command Prompt channels has not yet registered.  This may be because the",
    "       service is not yet started, is disabled by the administrator, is",
    "       malfunctioning or is unresponsive.",
]
NO_CHANNEL_INDEX = "Error: There is no channel present at the specified index."
NO_CHANNEL_NAME = "Error: Could not find a channel with that name."
SAC_NOT_CLOSABLE = "Error: The SAC channel cannot be closed."
CMD_APP_GUID = "63d02271-8aa4-11d5-bccf-00b0d014a2d0"
SAC_APP_GUID = "63d02270-8aa4-11d5-bccf-806d6172696f"
LOCKED = "Locked access to all Command Prompt channels."
RESTARTING = ["SAC preparing to restart the system.",
              "The SAC will become unavailable soon.  The computer is shutting down."]
SHUTTING_DOWN = ["SAC preparing to shutdown the system.",
                 "The SAC will become unavailable soon.  The computer is shutting down."]
LOGIN = "Please enter login credentials."


def identification() -> list[str]:
    # SAC reads the architecture from the PROCESSOR_ARCHITECTURE environment value (ReactOS
    # util.c, InitializeMachineInformation): AMD64 here and in the <BP> block alike.
    return [f"           Computer Name: {COMPUTER_NAME}",
            f"           Computer GUID: {COMPUTER_GUID}",
            "  Processor Architecture: AMD64",
            f"          Version Number: {OS_VERSION}",
            f"            Build Number: {OS_BUILD}",
            f"                 Product: {PRODUCT}",
            "    Applied Service Pack: None"]


def ip_addresses(nic_enabled: bool) -> list[str]:
    if not nic_enabled:
        return ["SAC is retrieving IP Addresses...", "There are no IP Addresses available."]
    return ["SAC is retrieving IP Addresses...",
            "Net: 0, Ip={}  Subnet={}  Gateway={}".format(*IP)]


def channel_guid(number: int) -> str:
    # Fixed per channel number, so outputs stay the same run after run.
    return f"e203fb79-d80d-11ea-87e3-c2679e1495{number:02d}"


def channel_info(name: str, number: int) -> list[str]:
    is_sac = number == 0
    return [f"Name:                  {name}",
            f"Description:           {'Special Administration Console' if is_sac else 'Command'}",
            "Type:                  VT-UTF8",
            f"Channel GUID:          {channel_guid(number)}",
            f"Application Type GUID: {SAC_APP_GUID if is_sac else CMD_APP_GUID}", "",
            "Press <esc><tab> for next channel.",
            "Press <esc><tab>0 to return to the SAC channel.",
            "Use any other key to view this channel.", ""]


def bugcheck_block(stop_code: str) -> list[str]:
    """The EMS <BP> block SAC writes after a Stop error, in the layout of the Avocent/Cyclades
    Windows Server 2003 sample (sac-ems.md §3). No modern capture was found: that Windows Server
    2019 still prints it this way, and "0x80" for an NMI, are inferred."""
    return ["<?xml>", "<BP>", '<INSTANCE CLASSNAME="BLUESCREEN">',
            f'<PROPERTY NAME="STOPCODE" TYPE="string"><VALUE>"{stop_code}"</VALUE>',
            "</PROPERTY>", "<machine-info>", f"<name>{COMPUTER_NAME}</name>",
            f"<guid>{COMPUTER_GUID}</guid>", "<processor-architecture>AMD64</processor-architecture>",
            f"<os-version>{OS_VERSION}</os-version>", f"<os-build-number>{OS_BUILD}</os-build-number>",
            f"<os-product>{PRODUCT}</os-product>", "<os-service-pack>None</os-service-pack>",
            "</machine-info>", "</INSTANCE>", "</BP>"]
