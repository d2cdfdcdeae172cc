// menus/: the USSD menu engine. (Placeholder header; the menus issue fills this layer.)
#pragma once
