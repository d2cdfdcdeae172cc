// menus/: the data-driven USSD menu engine, sans-I/O (text in; text and actions out).
//
// Menus are TOML data files (the operator's cabinet menus are in menus/cabinet/), loaded and
// validated by `MenuLoader` (texts by `MenuTextReader`, keys by engine/base's `TomlTable`)
// into an immutable, versioned `MenuSet`: every error of the set is reported, each naming
// file, line and key; a screen that cannot fit 182 GSM 7-bit or 80 UCS2 characters is
// rejected. `MenuRegistry` holds the set for reload without a restart. `parse_ussd_string`
// splits `*141*3*6#` into a service code and a shortcut walk. `UssdDialogue` is one
// dialogue's state machine (its `DialoguePhase`: not begun, awaiting an answer, awaiting a
// result, ended): begin, answer, action result, timeout and release in; a screen (UTF-8
// text, GSM 7-bit or UCS2), continue or end, an `ActionRequest` for the domain, and the next
// deadline out. The domain contract (actions, parameters, outcome codes) is
// `DomainAction.hpp`; the dialogue never calls storage. `DemoDomain` is an in-memory domain
// for `ussdgw menus try` only.
#pragma once

#include "menus/DomainAction.hpp"
#include "menus/MenuConfig.hpp"
#include "menus/MenuLoader.hpp"
#include "menus/MenuRegistry.hpp"
#include "menus/MenuSet.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdDialogue.hpp"
#include "menus/UssdString.hpp"
