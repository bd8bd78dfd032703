global using Tpd.Gateway.Tests.Fakes;
