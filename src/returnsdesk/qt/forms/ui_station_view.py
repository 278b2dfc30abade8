# Generated from ui/station_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QFrame, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QSizePolicy, QSpacerItem, QSplitter,
    QStackedWidget, QTableView, QVBoxLayout, QWidget)

from returnsdesk.qt.fitting import (ListScrollArea, WholeRowsTable, WrappedLabel)

class Ui_StationView(object):
    def setupUi(self, StationView):
        if not StationView.objectName():
            StationView.setObjectName(u"StationView")
        StationView.resize(1366, 760)
        self.rootLayout = QVBoxLayout(StationView)
        self.rootLayout.setSpacing(6)
        self.rootLayout.setObjectName(u"rootLayout")
        self.rootLayout.setContentsMargins(6, 6, 6, 6)
        self.stepLayout = QHBoxLayout()
        self.stepLayout.setSpacing(6)
        self.stepLayout.setObjectName(u"stepLayout")
        self.stepParcel = QLabel(StationView)
        self.stepParcel.setObjectName(u"stepParcel")
        self.stepParcel.setTextFormat(Qt.TextFormat.PlainText)
        self.stepParcel.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.stepLayout.addWidget(self.stepParcel)

        self.stepItems = QLabel(StationView)
        self.stepItems.setObjectName(u"stepItems")
        self.stepItems.setTextFormat(Qt.TextFormat.PlainText)
        self.stepItems.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.stepLayout.addWidget(self.stepItems)

        self.stepGrade = QLabel(StationView)
        self.stepGrade.setObjectName(u"stepGrade")
        self.stepGrade.setTextFormat(Qt.TextFormat.PlainText)
        self.stepGrade.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.stepLayout.addWidget(self.stepGrade)

        self.stepConfirm = QLabel(StationView)
        self.stepConfirm.setObjectName(u"stepConfirm")
        self.stepConfirm.setTextFormat(Qt.TextFormat.PlainText)
        self.stepConfirm.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.stepLayout.addWidget(self.stepConfirm)


        self.rootLayout.addLayout(self.stepLayout)

        self.banner = WrappedLabel(StationView)
        self.banner.setObjectName(u"banner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)

        self.rootLayout.addWidget(self.banner)

        self.splitter = QSplitter(StationView)
        self.splitter.setObjectName(u"splitter")
        self.splitter.setOrientation(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.returnPanel = QFrame(self.splitter)
        self.returnPanel.setObjectName(u"returnPanel")
        self.returnLayout = QVBoxLayout(self.returnPanel)
        self.returnLayout.setObjectName(u"returnLayout")
        self.returnLayout.setContentsMargins(6, 6, 6, 6)
        self.returnTitle = QLabel(self.returnPanel)
        self.returnTitle.setObjectName(u"returnTitle")
        self.returnTitle.setTextFormat(Qt.TextFormat.PlainText)
        self.returnTitle.setWordWrap(True)

        self.returnLayout.addWidget(self.returnTitle)

        self.returnDetails = QLabel(self.returnPanel)
        self.returnDetails.setObjectName(u"returnDetails")
        self.returnDetails.setWordWrap(True)
        self.returnDetails.setTextFormat(Qt.TextFormat.RichText)

        self.returnLayout.addWidget(self.returnDetails)

        self.weightLabel = QLabel(self.returnPanel)
        self.weightLabel.setObjectName(u"weightLabel")
        self.weightLabel.setVisible(False)
        self.weightLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.weightLabel.setWordWrap(True)

        self.returnLayout.addWidget(self.weightLabel)

        self.linesTable = QTableView(self.returnPanel)
        self.linesTable.setObjectName(u"linesTable")
        self.linesTable.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.linesTable.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.linesTable.setAlternatingRowColors(True)
        self.linesTable.setWordWrap(True)

        self.returnLayout.addWidget(self.linesTable)

        self.splitter.addWidget(self.returnPanel)
        self.workPanel = QFrame(self.splitter)
        self.workPanel.setObjectName(u"workPanel")
        self.workLayout = QVBoxLayout(self.workPanel)
        self.workLayout.setObjectName(u"workLayout")
        self.workLayout.setContentsMargins(6, 6, 6, 6)
        self.workStack = QStackedWidget(self.workPanel)
        self.workStack.setObjectName(u"workStack")
        self.pageIdle = QWidget()
        self.pageIdle.setObjectName(u"pageIdle")
        self.idleLayout = QVBoxLayout(self.pageIdle)
        self.idleLayout.setObjectName(u"idleLayout")
        self.idleLayout.setContentsMargins(0, 0, 0, 0)
        self.idleHint = QLabel(self.pageIdle)
        self.idleHint.setObjectName(u"idleHint")
        self.idleHint.setWordWrap(True)
        self.idleHint.setTextFormat(Qt.TextFormat.RichText)
        self.idleHint.setAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignTop)

        self.idleLayout.addWidget(self.idleHint)

        self.workStack.addWidget(self.pageIdle)
        self.pageNoReturn = QWidget()
        self.pageNoReturn.setObjectName(u"pageNoReturn")
        self.noReturnLayout = QVBoxLayout(self.pageNoReturn)
        self.noReturnLayout.setObjectName(u"noReturnLayout")
        self.noReturnLayout.setContentsMargins(0, 0, 0, 0)
        self.noReturnLabel = QLabel(self.pageNoReturn)
        self.noReturnLabel.setObjectName(u"noReturnLabel")
        self.noReturnLabel.setTextFormat(Qt.TextFormat.PlainText)
        self.noReturnLabel.setWordWrap(True)

        self.noReturnLayout.addWidget(self.noReturnLabel)

        self.searchEdit = QLineEdit(self.pageNoReturn)
        self.searchEdit.setObjectName(u"searchEdit")
        self.searchEdit.setClearButtonEnabled(True)

        self.noReturnLayout.addWidget(self.searchEdit)

        self.searchResults = WholeRowsTable(self.pageNoReturn)
        self.searchResults.setObjectName(u"searchResults")
        self.searchResults.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.searchResults.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.noReturnLayout.addWidget(self.searchResults)

        self.noReturnButtons = QHBoxLayout()
        self.noReturnButtons.setObjectName(u"noReturnButtons")
        self.openReturnButton = QPushButton(self.pageNoReturn)
        self.openReturnButton.setObjectName(u"openReturnButton")

        self.noReturnButtons.addWidget(self.openReturnButton)

        self.unexpectedButton = QPushButton(self.pageNoReturn)
        self.unexpectedButton.setObjectName(u"unexpectedButton")

        self.noReturnButtons.addWidget(self.unexpectedButton)

        self.cancelSearchButton = QPushButton(self.pageNoReturn)
        self.cancelSearchButton.setObjectName(u"cancelSearchButton")

        self.noReturnButtons.addWidget(self.cancelSearchButton)


        self.noReturnLayout.addLayout(self.noReturnButtons)

        self.workStack.addWidget(self.pageNoReturn)
        self.pageUnit = QWidget()
        self.pageUnit.setObjectName(u"pageUnit")
        self.unitLayout = QVBoxLayout(self.pageUnit)
        self.unitLayout.setObjectName(u"unitLayout")
        self.unitLayout.setContentsMargins(0, 0, 0, 0)
        self.unitTitle = WrappedLabel(self.pageUnit)
        self.unitTitle.setObjectName(u"unitTitle")
        self.unitTitle.setTextFormat(Qt.TextFormat.PlainText)
        self.unitTitle.setWordWrap(True)

        self.unitLayout.addWidget(self.unitTitle)

        self.unitPrompt = WrappedLabel(self.pageUnit)
        self.unitPrompt.setObjectName(u"unitPrompt")
        self.unitPrompt.setWordWrap(True)
        self.unitPrompt.setTextFormat(Qt.TextFormat.RichText)

        self.unitLayout.addWidget(self.unitPrompt)

        self.gradeBox = QWidget(self.pageUnit)
        self.gradeBox.setObjectName(u"gradeBox")
        self.gradeLayout = QHBoxLayout(self.gradeBox)
        self.gradeLayout.setObjectName(u"gradeLayout")
        self.gradeLayout.setContentsMargins(0, 0, 0, 0)

        self.unitLayout.addWidget(self.gradeBox)

        self.answersScroll = ListScrollArea(self.pageUnit)
        self.answersScroll.setObjectName(u"answersScroll")
        self.answersContents = QWidget()
        self.answersContents.setObjectName(u"answersContents")
        self.answersLayout = QVBoxLayout(self.answersContents)
        self.answersLayout.setObjectName(u"answersLayout")
        self.answersLayout.setContentsMargins(0, 0, 0, 0)
        self.unitAnswers = WrappedLabel(self.answersContents)
        self.unitAnswers.setObjectName(u"unitAnswers")
        self.unitAnswers.setWordWrap(True)
        self.unitAnswers.setTextFormat(Qt.TextFormat.RichText)

        self.answersLayout.addWidget(self.unitAnswers)

        self.answersScroll.setWidget(self.answersContents)

        self.unitLayout.addWidget(self.answersScroll)

        self.photoStrip = QLabel(self.pageUnit)
        self.photoStrip.setObjectName(u"photoStrip")
        self.photoStrip.setTextFormat(Qt.TextFormat.RichText)

        self.unitLayout.addWidget(self.photoStrip)

        self.notesEdit = QLineEdit(self.pageUnit)
        self.notesEdit.setObjectName(u"notesEdit")

        self.unitLayout.addWidget(self.notesEdit)

        self.unitSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.unitLayout.addItem(self.unitSpacer)

        self.workStack.addWidget(self.pageUnit)
        self.pageOutcome = QWidget()
        self.pageOutcome.setObjectName(u"pageOutcome")
        self.outcomeLayout = QVBoxLayout(self.pageOutcome)
        self.outcomeLayout.setObjectName(u"outcomeLayout")
        self.outcomeLayout.setContentsMargins(0, 0, 0, 0)
        self.outcomeScroll = ListScrollArea(self.pageOutcome)
        self.outcomeScroll.setObjectName(u"outcomeScroll")
        self.outcomeContents = QWidget()
        self.outcomeContents.setObjectName(u"outcomeContents")
        self.outcomeContentsLayout = QVBoxLayout(self.outcomeContents)
        self.outcomeContentsLayout.setObjectName(u"outcomeContentsLayout")
        self.outcomeContentsLayout.setContentsMargins(0, 0, 0, 0)
        self.outcomeLabel = WrappedLabel(self.outcomeContents)
        self.outcomeLabel.setObjectName(u"outcomeLabel")
        self.outcomeLabel.setWordWrap(True)
        self.outcomeLabel.setTextFormat(Qt.TextFormat.RichText)
        self.outcomeLabel.setAlignment(Qt.AlignmentFlag.AlignLeading|Qt.AlignmentFlag.AlignTop)

        self.outcomeContentsLayout.addWidget(self.outcomeLabel)

        self.outcomeSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.outcomeContentsLayout.addItem(self.outcomeSpacer)

        self.outcomeScroll.setWidget(self.outcomeContents)

        self.outcomeLayout.addWidget(self.outcomeScroll)

        self.workStack.addWidget(self.pageOutcome)
        self.pageShopChoice = QWidget()
        self.pageShopChoice.setObjectName(u"pageShopChoice")
        self.shopChoiceLayout = QVBoxLayout(self.pageShopChoice)
        self.shopChoiceLayout.setObjectName(u"shopChoiceLayout")
        self.shopChoiceLayout.setContentsMargins(0, 0, 0, 0)
        self.shopChoiceTitle = QLabel(self.pageShopChoice)
        self.shopChoiceTitle.setObjectName(u"shopChoiceTitle")
        self.shopChoiceTitle.setTextFormat(Qt.TextFormat.PlainText)
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        sizePolicy.setHorizontalStretch(0)
        sizePolicy.setVerticalStretch(0)
        sizePolicy.setHeightForWidth(self.shopChoiceTitle.sizePolicy().hasHeightForWidth())
        self.shopChoiceTitle.setSizePolicy(sizePolicy)

        self.shopChoiceLayout.addWidget(self.shopChoiceTitle)

        self.shopChoiceHint = WrappedLabel(self.pageShopChoice)
        self.shopChoiceHint.setObjectName(u"shopChoiceHint")
        self.shopChoiceHint.setTextFormat(Qt.TextFormat.PlainText)
        self.shopChoiceHint.setWordWrap(True)

        self.shopChoiceLayout.addWidget(self.shopChoiceHint)

        self.shopTable = WholeRowsTable(self.pageShopChoice)
        self.shopTable.setObjectName(u"shopTable")
        self.shopTable.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.shopTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.shopTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.shopChoiceLayout.addWidget(self.shopTable)

        self.workStack.addWidget(self.pageShopChoice)

        self.workLayout.addWidget(self.workStack)

        self.actionLayout = QHBoxLayout()
        self.actionLayout.setObjectName(u"actionLayout")
        self.acceptButton = QPushButton(self.workPanel)
        self.acceptButton.setObjectName(u"acceptButton")
        self.acceptButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.acceptButton)

        self.overrideButton = QPushButton(self.workPanel)
        self.overrideButton.setObjectName(u"overrideButton")
        self.overrideButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.overrideButton)

        self.photoButton = QPushButton(self.workPanel)
        self.photoButton.setObjectName(u"photoButton")
        self.photoButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.photoButton)

        self.notesButton = QPushButton(self.workPanel)
        self.notesButton.setObjectName(u"notesButton")
        self.notesButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.notesButton)

        self.closeParcelButton = QPushButton(self.workPanel)
        self.closeParcelButton.setObjectName(u"closeParcelButton")
        self.closeParcelButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.closeParcelButton)

        self.emptyBoxButton = QPushButton(self.workPanel)
        self.emptyBoxButton.setObjectName(u"emptyBoxButton")
        self.emptyBoxButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.emptyBoxButton)

        self.backButton = QPushButton(self.workPanel)
        self.backButton.setObjectName(u"backButton")
        self.backButton.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.actionLayout.addWidget(self.backButton)


        self.workLayout.addLayout(self.actionLayout)

        self.refundBox = QGroupBox(self.workPanel)
        self.refundBox.setObjectName(u"refundBox")
        self.refundLayout = QVBoxLayout(self.refundBox)
        self.refundLayout.setObjectName(u"refundLayout")
        self.refundLayout.setContentsMargins(4, 4, 4, 4)
        self.refundTable = WholeRowsTable(self.refundBox)
        self.refundTable.setObjectName(u"refundTable")
        self.refundTable.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.refundTable.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

        self.refundLayout.addWidget(self.refundTable)

        self.refundTotal = WrappedLabel(self.refundBox)
        self.refundTotal.setObjectName(u"refundTotal")
        self.refundTotal.setTextFormat(Qt.TextFormat.PlainText)
        self.refundTotal.setAlignment(Qt.AlignmentFlag.AlignRight|Qt.AlignmentFlag.AlignVCenter)

        self.refundLayout.addWidget(self.refundTotal)

        self.refundSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.refundLayout.addItem(self.refundSpacer)

        self.refundLayout.setStretch(0, 1)

        self.workLayout.addWidget(self.refundBox)

        self.splitter.addWidget(self.workPanel)

        self.rootLayout.addWidget(self.splitter)

        self.scanLayout = QHBoxLayout()
        self.scanLayout.setObjectName(u"scanLayout")
        self.scanLabel = QLabel(StationView)
        self.scanLabel.setObjectName(u"scanLabel")
        self.scanLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.scanLayout.addWidget(self.scanLabel)

        self.scanEdit = QLineEdit(StationView)
        self.scanEdit.setObjectName(u"scanEdit")

        self.scanLayout.addWidget(self.scanEdit)

        self.keysHint = QLabel(StationView)
        self.keysHint.setObjectName(u"keysHint")
        self.keysHint.setTextFormat(Qt.TextFormat.PlainText)
        self.keysHint.setWordWrap(True)

        self.scanLayout.addWidget(self.keysHint)

        self.scanLayout.setStretch(1, 1)
        self.scanLayout.setStretch(2, 1)

        self.rootLayout.addLayout(self.scanLayout)

        self.scanLabel.setBuddy(self.scanEdit)

        self.retranslateUi(StationView)

        QMetaObject.connectSlotsByName(StationView)
    # setupUi

    def retranslateUi(self, StationView):
        self.stepParcel.setText(QCoreApplication.translate("StationView", u"1  Scan parcel", None))
        self.stepItems.setText(QCoreApplication.translate("StationView", u"2  Scan item", None))
        self.stepGrade.setText(QCoreApplication.translate("StationView", u"3  Grade & dispose", None))
        self.stepConfirm.setText(QCoreApplication.translate("StationView", u"4  Confirm refund", None))
        self.banner.setText(QCoreApplication.translate("StationView", u"Scan a parcel label to start.", None))
        self.banner.setAccessibleName(QCoreApplication.translate("StationView", u"Station message", None))
        self.returnTitle.setText(QCoreApplication.translate("StationView", u"No parcel", None))
        self.returnDetails.setText("")
        self.weightLabel.setText("")
        self.idleHint.setText("")
        self.noReturnLabel.setText("")
        self.searchEdit.setPlaceholderText(QCoreApplication.translate("StationView", u"Order number, RMA, customer name or email \u2014 Enter searches", None))
        self.openReturnButton.setText(QCoreApplication.translate("StationView", u"Open selected return (Enter)", None))
        self.unexpectedButton.setText(QCoreApplication.translate("StationView", u"Receive as unexpected parcel (F5)", None))
        self.cancelSearchButton.setText(QCoreApplication.translate("StationView", u"Back (Esc)", None))
        self.unitTitle.setText("")
        self.unitPrompt.setText("")
        self.unitAnswers.setText("")
        self.photoStrip.setText("")
        self.notesEdit.setPlaceholderText(QCoreApplication.translate("StationView", u"Notes (F2), Enter to keep", None))
        self.outcomeLabel.setText("")
        self.shopChoiceTitle.setText(QCoreApplication.translate("StationView", u"Which shop's parcel is it?", None))
        self.shopChoiceHint.setText("")
        self.shopTable.setAccessibleName(QCoreApplication.translate("StationView", u"Shops using the number scanned", None))
        self.acceptButton.setText(QCoreApplication.translate("StationView", u"Accept (Enter)", None))
        self.overrideButton.setText(QCoreApplication.translate("StationView", u"Override (O)", None))
        self.photoButton.setText(QCoreApplication.translate("StationView", u"Photo (P)", None))
        self.notesButton.setText(QCoreApplication.translate("StationView", u"Note (F2)", None))
        self.closeParcelButton.setText(QCoreApplication.translate("StationView", u"Close, rest missing (F8)", None))
        self.emptyBoxButton.setText(QCoreApplication.translate("StationView", u"Empty box (F9)", None))
        self.backButton.setText(QCoreApplication.translate("StationView", u"Back (Esc)", None))
        self.refundBox.setTitle(QCoreApplication.translate("StationView", u"Refund", None))
        self.refundTotal.setText("")
        self.scanLabel.setText(QCoreApplication.translate("StationView", u"Scan or type a code:", None))
        self.scanEdit.setPlaceholderText(QCoreApplication.translate("StationView", u"tracking number, RMA, order, item barcode or serial \u2014 Enter", None))
        self.scanEdit.setAccessibleName(QCoreApplication.translate("StationView", u"Scan field", None))
        self.keysHint.setText("")
        pass
    # retranslateUi
