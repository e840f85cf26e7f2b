#pragma once
/// @file cli.hpp
/// karga's command-line module (target `karga::cli`, CLI11): the load-model, output,
/// threshold and live-view options every karga command shares, so that a command of
/// an adapter built outside karga reads them as karga-http does.
#include <karga/cli/command.hpp>
#include <karga/cli/load_options.hpp>
#include <karga/cli/outputs.hpp>
#include <karga/cli/parse.hpp>
#include <karga/cli/pushes.hpp>
#include <karga/cli/report_options.hpp>
