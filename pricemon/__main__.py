from pricemon.cli import main

main()
