// smpp/: the SMPP 3.4 layer. (Placeholder header; the SMPP issue fills this layer.)
#pragma once
